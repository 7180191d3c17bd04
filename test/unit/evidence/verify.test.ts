import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { InputError } from '../../../scripts/lib/errors';
import { writeManifest } from '../../../scripts/lib/evidence';
import { checkManifest, parseManifest } from '../../../scripts/lib/evidence-manifest';

function sealed(testdir: typeof t.testdir): string {
  const dir = testdir({
    'pre_change_snapshot_20260201T020000Z.json': '{"a":1}\n',
    'alerts.log': '',
    incidents: { '20260201T030000Z_pool_scaling_incident.md': '# incident\n' },
  });
  writeManifest(dir);
  return dir;
}

t.test('an untouched folder verifies', async (t) => {
  const r = checkManifest(sealed(t.testdir.bind(t)));
  t.equal(r.ok, true);
  t.equal(r.checked, 3);
});

t.test('a changed, a missing and an added file are each named', async (t) => {
  const dir = sealed(t.testdir.bind(t));
  fs.writeFileSync(path.join(dir, 'pre_change_snapshot_20260201T020000Z.json'), '{"a":2}\n');
  fs.rmSync(path.join(dir, 'incidents', '20260201T030000Z_pool_scaling_incident.md'));
  fs.writeFileSync(path.join(dir, 'rollback_log.txt'), 'Rollback reason: x\n');
  const r = checkManifest(dir);
  t.equal(r.ok, false);
  t.same(r.changed, ['pre_change_snapshot_20260201T020000Z.json']);
  t.same(r.missing, ['incidents/20260201T030000Z_pool_scaling_incident.md']);
  t.same(r.added, ['rollback_log.txt']);
});

t.test('an appended line in a log is a change', async (t) => {
  const dir = sealed(t.testdir.bind(t));
  fs.appendFileSync(path.join(dir, 'alerts.log'), 'late line\n');
  t.same(checkManifest(dir).changed, ['alerts.log']);
});

t.test('no manifest, or a malformed one, is bad input (exit 2), not a pass', async (t) => {
  const dir = t.testdir({ 'a.json': '{}' });
  t.throws(() => checkManifest(dir), InputError);
  t.throws(() => parseManifest('not a manifest line\n'), InputError);
  t.same([...parseManifest(`${'a'.repeat(64)}  x y.json\n`)], [['x y.json', 'a'.repeat(64)]]);
});
