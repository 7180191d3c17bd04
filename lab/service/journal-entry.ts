import { InputError } from '../../scripts/lib/errors';

export interface JournalLineInput {
  account_id: number;
  /** Amounts as decimal strings with 2 places ("10.00"): money never goes through floating point. */
  debit: string;
  credit: string;
}

export interface JournalEntryInput {
  memo: string;
  lines: JournalLineInput[];
}

const MONEY = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;
const MAX_LINES = 100;

/**
 * Validates a POST /api/journal-entries body (pure). A line is a debit or a credit, never both, never zero;
 * the entry balances (Σ debit = Σ credit, compared in integer cents). Throws InputError saying what is wrong.
 */
export function parseJournalEntry(body: unknown): JournalEntryInput {
  if (!isObject(body)) throw new InputError('body must be a JSON object {"memo", "lines"}', 'E_BAD_ENTRY');
  const unknown = Object.keys(body).filter((k) => k !== 'memo' && k !== 'lines');
  if (unknown.length) throw new InputError(`unknown key "${unknown[0]}"`, 'E_BAD_ENTRY');
  const { memo, lines } = body;
  if (typeof memo !== 'string' || memo.length === 0 || memo.length > 500) {
    throw new InputError('memo must be a string of 1 to 500 characters', 'E_BAD_ENTRY');
  }
  if (!Array.isArray(lines) || lines.length < 2 || lines.length > MAX_LINES) {
    throw new InputError(`lines must be an array of 2 to ${MAX_LINES} lines`, 'E_BAD_ENTRY');
  }
  let debits = 0n;
  let credits = 0n;
  const parsed = lines.map((line: unknown, i): JournalLineInput => {
    const at = `lines[${i}]`;
    if (!isObject(line)) throw new InputError(`${at} must be an object`, 'E_BAD_ENTRY');
    const { account_id: accountId, debit = '0', credit = '0' } = line;
    if (typeof accountId !== 'number' || !Number.isInteger(accountId) || accountId < 1 || accountId > 2 ** 31 - 1) {
      throw new InputError(`${at}.account_id must be a positive integer`, 'E_BAD_ENTRY');
    }
    const d = cents(debit, `${at}.debit`);
    const c = cents(credit, `${at}.credit`);
    if ((d === 0n) === (c === 0n)) {
      throw new InputError(`${at} must have exactly one of debit or credit greater than 0`, 'E_BAD_ENTRY');
    }
    debits += d;
    credits += c;
    return { account_id: accountId, debit: formatCents(d), credit: formatCents(c) };
  });
  if (debits !== credits) {
    throw new InputError(
      `entry is not balanced: debits ${formatCents(debits)} != credits ${formatCents(credits)}`,
      'E_UNBALANCED',
    );
  }
  return { memo, lines: parsed };
}

function cents(value: unknown, at: string): bigint {
  if (typeof value !== 'string' || !MONEY.test(value)) {
    throw new InputError(`${at} must be a decimal string like "10.00" (at most 2 decimals)`, 'E_BAD_ENTRY');
  }
  const [whole, frac = ''] = value.split('.');
  return BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
}

function formatCents(c: bigint): string {
  return `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
