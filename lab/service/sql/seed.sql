-- Seed data: 20 accounts and 150 balanced two-line entries (300 journal lines). Idempotent.
INSERT INTO accounts (id, code, name, type) VALUES
  (1, '1000', 'Cash', 'asset'),
  (2, '1100', 'Accounts receivable', 'asset'),
  (3, '1200', 'Inventory', 'asset'),
  (4, '1300', 'Prepaid expenses', 'asset'),
  (5, '1500', 'Equipment', 'asset'),
  (6, '2000', 'Accounts payable', 'liability'),
  (7, '2100', 'Accrued liabilities', 'liability'),
  (8, '2200', 'Sales tax payable', 'liability'),
  (9, '2500', 'Bank loan', 'liability'),
  (10, '3000', 'Owner''s equity', 'equity'),
  (11, '3100', 'Retained earnings', 'equity'),
  (12, '4000', 'Sales revenue', 'revenue'),
  (13, '4100', 'Service revenue', 'revenue'),
  (14, '4200', 'Interest income', 'revenue'),
  (15, '5000', 'Cost of goods sold', 'expense'),
  (16, '5100', 'Salaries', 'expense'),
  (17, '5200', 'Rent', 'expense'),
  (18, '5300', 'Utilities', 'expense'),
  (19, '5400', 'Software subscriptions', 'expense'),
  (20, '5500', 'Bank fees', 'expense')
ON CONFLICT (id) DO NOTHING;

INSERT INTO journal_entries (id, memo, posted_at)
SELECT g, 'Seed entry ' || g, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour'
  FROM generate_series(1, 150) AS g
ON CONFLICT (id) DO NOTHING;

-- Explicit ids above do not advance the identity: move it past them so new entries do not collide.
SELECT setval(pg_get_serial_sequence('journal_entries', 'id'), GREATEST((SELECT max(id) FROM journal_entries), 1));

-- Each seed entry: debit one of accounts 1..5 or 15..20, credit one of accounts 6..14; same amount on both sides.
INSERT INTO journal_lines (entry_id, account_id, debit, credit)
SELECT e.id, side.account_id, side.debit, side.credit
  FROM generate_series(1, 150) AS e(id)
 CROSS JOIN LATERAL (
   VALUES
     (CASE WHEN e.id % 2 = 0 THEN 1 + e.id % 5 ELSE 15 + e.id % 6 END, ((e.id * 37) % 500 + 10 + (e.id % 100) / 100.0)::numeric(15, 2), 0::numeric(15, 2)),
     (6 + (e.id * 7) % 9, 0::numeric(15, 2), ((e.id * 37) % 500 + 10 + (e.id % 100) / 100.0)::numeric(15, 2))
 ) AS side(account_id, debit, credit)
 WHERE NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = e.id);
