import type { ClientBase } from 'pg';
import { InputError } from '../../scripts/lib/errors';
import type { JournalEntryInput } from './journal-entry';

/** The accounting queries. Money stays NUMERIC in the database and decimal strings in JSON. */

export interface Account {
  id: number;
  code: string;
  name: string;
  type: string;
}

export async function listAccounts(db: ClientBase): Promise<Account[]> {
  const { rows } = await db.query<Account>('SELECT id, code, name, type FROM accounts ORDER BY id');
  return rows;
}

export interface AccountBalance extends Account {
  debits: string;
  credits: string;
  /** debits - credits */
  balance: string;
  lines: number;
}

export async function accountBalance(db: ClientBase, id: number): Promise<AccountBalance | undefined> {
  const { rows } = await db.query<AccountBalance>(
    `SELECT a.id, a.code, a.name, a.type,
            COALESCE(SUM(l.debit), 0)::numeric(15,2)::text AS debits,
            COALESCE(SUM(l.credit), 0)::numeric(15,2)::text AS credits,
            (COALESCE(SUM(l.debit), 0) - COALESCE(SUM(l.credit), 0))::numeric(15,2)::text AS balance,
            COUNT(l.id)::int AS lines
       FROM accounts a LEFT JOIN journal_lines l ON l.account_id = a.id
      WHERE a.id = $1
      GROUP BY a.id`,
    [id],
  );
  return rows[0];
}

/** Inserts the entry and its lines in one transaction; the id is returned only once COMMIT has succeeded. */
export async function postJournalEntry(db: ClientBase, entry: JournalEntryInput): Promise<number> {
  await db.query('BEGIN');
  try {
    const { rows } = await db.query<{ id: string }>('INSERT INTO journal_entries (memo) VALUES ($1) RETURNING id', [
      entry.memo,
    ]);
    const id = rows[0].id;
    await db.query(
      `INSERT INTO journal_lines (entry_id, account_id, debit, credit)
       SELECT $1, l.account_id, l.debit, l.credit
         FROM unnest($2::int[], $3::numeric[], $4::numeric[]) AS l(account_id, debit, credit)`,
      [id, entry.lines.map((l) => l.account_id), entry.lines.map((l) => l.debit), entry.lines.map((l) => l.credit)],
    );
    await db.query('COMMIT');
    return Number(id);
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    if ((err as { code?: string }).code === '23503') {
      throw new InputError('a line names an account that does not exist', 'E_UNKNOWN_ACCOUNT');
    }
    throw err;
  }
}

export interface JournalEntry {
  id: number;
  memo: string;
  posted_at: string;
  lines: { account_id: number; debit: string; credit: string }[];
}

export async function getJournalEntry(db: ClientBase, id: number): Promise<JournalEntry | undefined> {
  const head = await db.query<{ id: string; memo: string; posted_at: Date }>(
    'SELECT id, memo, posted_at FROM journal_entries WHERE id = $1',
    [id],
  );
  if (head.rows.length === 0) return undefined;
  const lines = await db.query<{ account_id: number; debit: string; credit: string }>(
    'SELECT account_id, debit::text AS debit, credit::text AS credit FROM journal_lines WHERE entry_id = $1 ORDER BY id',
    [id],
  );
  const { memo, posted_at: postedAt } = head.rows[0];
  return { id: Number(head.rows[0].id), memo, posted_at: postedAt.toISOString(), lines: lines.rows };
}
