import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { InputError } from '../../../scripts/lib/errors';
import {
  EVIDENCE,
  evidenceFile,
  folderProblems,
  kindOf,
  newestOf,
  readEvents,
  readEvidence,
  readLines,
  requireRunFolder,
  type EvidenceKindName,
} from '../../../scripts/lib/run-evidence';

const at = new Date('2026-02-01T02:30:00.000Z');

t.test('every kind names its file, and a file written under that name is found as that kind', async (t) => {
  for (const kind of Object.keys(EVIDENCE) as EvidenceKindName[]) {
    const file = evidenceFile(kind, at);
    t.equal(kindOf(file), kind, `${kind}: ${file}`);
    t.notOk(file.includes('<ts>'), `${kind}: a real name`);
  }
  t.equal(evidenceFile('snapshot', at), 'pre_change_snapshot_20260201T023000Z.json');
  t.equal(evidenceFile('incident', at), 'incidents/20260201T023000Z_pool_scaling_incident.md');
  t.equal(kindOf('post_change_load_test.json'), 'loadtest', "the runbook's load-test name is a load test");
  t.equal(kindOf('loadtest_20260201T023000Z.json'), 'loadtest');
  t.equal(kindOf('notes.txt'), null);
  t.equal(kindOf('monitor_samples.jsonl'), 'monitor_samples', 'not a monitor result');
});

t.test("the newest file of a kind: name order is time order; the rollout's load test wins", async (t) => {
  const files = ['verify_20260201T020000Z.json', 'verify_20260201T030000Z.json', 'verify_20260201T010000Z.json'];
  t.equal(newestOf(files, 'verify'), 'verify_20260201T030000Z.json');
  t.equal(newestOf(['loadtest_20270101T000000Z.json', 'post_change_load_test.json'], 'loadtest'), 'post_change_load_test.json');
  t.equal(newestOf(['loadtest_20270101T000000Z.json'], 'loadtest'), 'loadtest_20270101T000000Z.json');
  t.equal(newestOf([], 'report'), null);
  const dir = t.testdir({ incidents: { '20260201T023000Z_pool_scaling_incident.md': '#' } });
  t.equal(newestOf(dir, 'incident'), 'incidents/20260201T023000Z_pool_scaling_incident.md', 'incidents/ is looked into');
});

t.test('a file is read through its schema: used, missing, unreadable, not JSON, or not what the schema says', async (t) => {
  const dir = t.testdir({
    'verify_20260201T020000Z.json': '{"command": "verify"}',
    'analysis_20260201T020000Z.json': '{ not json',
  });
  t.match(readEvidence(dir, 'report'), { status: 'missing', file: null });
  t.match(readEvidence(dir, 'analysis'), { status: 'invalid', detail: /^not JSON/ });
  t.match(readEvidence(dir, 'verify'), {
    status: 'invalid',
    file: 'verify_20260201T020000Z.json',
    detail: /does not match verify-result\.schema\.json: .*missing required key "run"/,
    sha256: /^[0-9a-f]{64}$/,
  });
  const fixture = path.join(__dirname, '..', '..', 'fixtures', 'evidence-run', 'success');
  const plan = readEvidence(fixture, 'plan');
  t.equal(plan.status, 'used', 'the real run plan validates');
});

t.test('JSON lines: each line through the schema; a torn or foreign line is left out and named', async (t) => {
  const ok = { at: '2026-02-01T02:00:00.000Z', host: 'standby-1', action: 'verified' };
  const dir = t.testdir({
    'events.jsonl': [
      JSON.stringify({ ...ok, at: '2026-02-01T02:00:05.000Z', action: 'lb_enabled' }),
      JSON.stringify(ok),
      JSON.stringify({ ...ok, invented: 1 }),
      '{"at": "2026-02-01T02:0',
    ].join('\n'),
  });
  const r = readEvents(dir);
  t.same(
    r.values.map((e) => e.action),
    ['verified', 'lb_enabled'],
    'valid lines in time order',
  );
  t.match(r.problems, [/events\.jsonl line 3: .*invented/, /events\.jsonl line 4: not JSON/]);
  t.same(folderProblems(dir), r.problems, 'folderProblems names the same lines');
  t.same(readLines(dir, 'notifications'), { file: null, values: [], problems: [] }, 'a missing file has no line');
});

t.test('a run folder is refused by name when it is missing, a file, empty or holds no evidence', async (t) => {
  const dir = t.testdir({ empty: {}, foreign: { 'notes.txt': 'x' }, 'a-file': 'x', run: { 'events.jsonl': '' } });
  t.throws(() => requireRunFolder(path.join(dir, 'nope')), new InputError(`--evidence-dir ${path.join(dir, 'nope')} does not exist`));
  t.throws(() => requireRunFolder(path.join(dir, 'a-file')), /is not a folder/);
  t.throws(() => requireRunFolder(path.join(dir, 'empty')), /holds no evidence of a run/);
  t.throws(() => requireRunFolder(path.join(dir, 'foreign'), 'folder'), /^folder .*foreign holds no evidence/);
  t.equal(requireRunFolder(path.join(dir, 'run')), path.join(dir, 'run'));
  t.ok(fs.existsSync(path.join(dir, 'empty')), 'nothing was written or removed');
});
