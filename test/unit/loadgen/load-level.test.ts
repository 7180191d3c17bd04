import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { MeasureError } from '../../../scripts/lib/errors';
import { describeLoadLevel, loadLevelOf, readBaseline } from '../../../scripts/lib/loadgen/load-level';
import { newestOf } from '../../../scripts/lib/run-evidence';
import type { Snapshot } from '../../../scripts/types/snapshot';

const RUN = path.join(__dirname, '..', '..', 'fixtures', 'evidence-run', 'success');
const SNAPSHOT = path.join(RUN, newestOf(RUN, 'snapshot')!);

/** The stored lab snapshot with each instance's measured request rate set (null: not measured). */
function snapshotWith(rates: Array<number | null>): Snapshot {
  const s = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as Snapshot;
  s.instances.forEach((i, k) => {
    if (i.summary) i.summary.requests_per_s = rates[k] ?? null;
  });
  return s;
}

t.test("the baseline is the sum of the instances' measured request rates", async (t) => {
  const dir = t.testdir({ 'snap.json': JSON.stringify(snapshotWith([0, 0, 61.25, 58.5])) });
  const b = readBaseline(path.join(dir, 'snap.json'));
  t.equal(b.requests_per_s, 119.75);
  t.equal(b.instances.length, 4);
  const partial = t.testdir({ 'snap.json': JSON.stringify(snapshotWith([null, null, 30, null])) });
  const p = readBaseline(path.join(partial, 'snap.json'));
  t.equal(p.requests_per_s, 30, 'an instance not measured is left out of the sum');
  t.same(
    p.instances.map((i) => i.requests_per_s),
    [null, null, 30, null],
    'and shown as not measured',
  );
});

t.test(
  'a baseline that measured nothing cannot set a load level (exit 3); a bad file is bad input (exit 2)',
  async (t) => {
    const dir = t.testdir({
      'none.json': JSON.stringify(snapshotWith([null, null, null, null])),
      'bad.json': '{"kind":"nope"}',
    });
    t.throws(() => readBaseline(path.join(dir, 'none.json')), MeasureError);
    t.throws(() => readBaseline(path.join(dir, 'none.json')), /measured no instance's request rate/);
    t.throws(() => readBaseline(path.join(dir, 'bad.json')), /baseline snapshot .*bad\.json is invalid/);
    t.throws(() => readBaseline(path.join(dir, 'missing.json')), /cannot read baseline snapshot/);
    const older = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as Snapshot;
    for (const i of older.instances) if (i.summary) delete i.summary.requests_per_s;
    fs.writeFileSync(path.join(dir, 'older.json'), JSON.stringify(older));
    t.throws(
      () => readBaseline(path.join(dir, 'older.json')),
      /measured no instance's request rate/,
      'a snapshot from before it was recorded',
    );
    t.equal(readBaseline(SNAPSHOT).instances.length, 4, "the stored real run's snapshot measured the traffic");
  },
);

t.test('the level and how people read it', async (t) => {
  const baseline = { file: 'b', taken_at: '2026-02-01T02:00:00.000Z', requests_per_s: 120, instances: [] };
  const l = loadLevelOf(baseline, 0.833);
  t.equal(l.ratio, 0.007);
  t.equal(
    describeLoadLevel(l),
    "0.8 req/s = 0.01 × the baseline's 120.0 req/s (pre-change snapshot 2026-02-01T02:00:00.000Z)",
  );
  t.equal(loadLevelOf({ ...baseline, requests_per_s: 0 }, 10).ratio, null);
  t.match(describeLoadLevel(loadLevelOf({ ...baseline, requests_per_s: 0 }, 10)), /no traffic to compare with/);
  t.match(describeLoadLevel(loadLevelOf(null, 10)), /not compared with a baseline/);
});
