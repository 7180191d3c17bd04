import t from 'tap';
import { parseMixFlag, resolveWeights, WeightedPicker } from '../../../scripts/lib/loadgen/mix';
import { InputError } from '../../../scripts/lib/errors';

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
