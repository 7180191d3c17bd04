import t from 'tap';
import { parseJournalEntry } from '../../../lab/service/journal-entry';

const line = (account_id: number, debit: string, credit: string) => ({ account_id, debit, credit });

t.test('a balanced entry is normalised to 2-decimal strings', async (t) => {
  const e = parseJournalEntry({
    memo: 'rent',
    lines: [
      { account_id: 17, debit: '1200.5' },
      { account_id: 1, credit: '1200.50' },
    ],
  });
  t.same(e, { memo: 'rent', lines: [line(17, '1200.50', '0.00'), line(1, '0.00', '1200.50')] });
});

t.test('sums are exact in cents (no floating point drift)', async (t) => {
  const lines = [line(1, '0.10', '0'), line(2, '0.20', '0'), line(3, '0', '0.30')];
  t.doesNotThrow(() => parseJournalEntry({ memo: 'x', lines }), '0.10 + 0.20 = 0.30 exactly');
});

t.test('refusals say what is wrong', async (t) => {
  const bad: [unknown, RegExp][] = [
    [{ memo: 'x', lines: [line(1, '10', '0'), line(2, '0', '9.99')] }, /not balanced: debits 10.00 != credits 9.99/],
    [{ memo: 'x', lines: [line(1, '10', '0')] }, /2 to 100 lines/],
    [{ memo: '', lines: [line(1, '1', '0'), line(2, '0', '1')] }, /memo/],
    [{ memo: 'x', lines: [line(1, '1', '1'), line(2, '0', '0')] }, /lines\[0\] must have exactly one/],
    [{ memo: 'x', lines: [line(1.5, '1', '0'), line(2, '0', '1')] }, /lines\[0\]\.account_id/],
    [{ memo: 'x', lines: [line(1, '1.001', '0'), line(2, '0', '1')] }, /lines\[0\]\.debit must be a decimal string/],
    [{ memo: 'x', lines: [{ account_id: 1, debit: 10 }, line(2, '0', '10')] }, /decimal string/],
    [{ memo: 'x', lines: [line(1, '-1', '0'), line(2, '0', '1')] }, /decimal string/],
    [{ memo: 'x', extra: 1, lines: [] }, /unknown key "extra"/],
    [[1, 2], /JSON object/],
  ];
  for (const [body, message] of bad) t.throws(() => parseJournalEntry(body), { message }, JSON.stringify(body));
});
