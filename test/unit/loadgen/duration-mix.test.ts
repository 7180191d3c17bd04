import t from 'tap';
import { formatDuration, parseDuration } from '../../../scripts/lib/loadgen/duration';
import { parseMixFlag, resolveWeights, WeightedPicker } from '../../../scripts/lib/loadgen/mix';
import { InputError } from '../../../scripts/lib/errors';

t.test('durations need a unit and may be compound', async (t) => {
  t.equal(parseDuration('10m'), 600_000);
  t.equal(parseDuration('30s'), 30_000);
  t.equal(parseDuration('500ms'), 500);
  t.equal(parseDuration('1h'), 3_600_000);
  t.equal(parseDuration('1m30s'), 90_000);
  t.equal(parseDuration('1.5s'), 1500);
  for (const bad of ['10', '', '10 m', 'm', '-5s', '0s', '5d', 10]) {
    t.throws(() => parseDuration(bad as string, '--duration'), InputError, `rejects ${JSON.stringify(bad)}`);
  }
  t.throws(() => parseDuration('10', '--duration'), /--duration "10" needs a unit/);
  t.equal(formatDuration(600_000), '10m');
  t.equal(formatDuration(1500), '1.5s');
  t.equal(formatDuration(250), '250ms');
});

const requests = [
  { name: 'balance', weight: 40 },
  { name: 'accounts', weight: 40 },
  { name: 'journal-entry', weight: 20 },
];

t.test("mix: weights by request name replace the scenario's; a request not named is not sent", async (t) => {
  t.same(resolveWeights(requests), [40, 40, 20], "the scenario's own weights");
  t.same(resolveWeights(requests, parseMixFlag('balance=80,journal-entry=20')), [80, 0, 20]);
  t.same(resolveWeights(requests, parseMixFlag('accounts=1')), [0, 1, 0]);
  t.throws(() => parseMixFlag('read=-1'), InputError);
  t.throws(() => parseMixFlag('Read=1'), /expected name=weight/);
  t.throws(
    () => resolveWeights(requests, { reads: 80 }),
    /mix names "reads", not in the scenario \(its requests: balance, accounts, journal-entry\)/,
  );
  t.throws(() => resolveWeights(requests, { balance: 0 }), /at least one weight/);
});

t.test('the picker delivers the exact proportions, interleaved', async (t) => {
  const picker = new WeightedPicker([40, 40, 20]);
  const counts = [0, 0, 0];
  const first10: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const e = picker.next();
    counts[e]!++;
    if (i < 10) first10.push(e);
  }
  t.same(counts, [400, 400, 200]);
  t.equal(first10.filter((e) => e === 2).length, 2, 'writes spread through every window, not bunched');
});
