import type { Endpoint } from './mix';

/** What one request puts on the wire, and the status that counts as success. */
export interface RequestSpec {
  endpoint: Endpoint;
  method: 'GET' | 'POST';
  path: string;
  body: string | null;
  expectStatus: number;
}

export interface AccountRange {
  first: number;
  last: number;
}

/**
 * The reference service's API, cycling through the seeded accounts so reads and writes spread over rows
 * (one hot row would measure lock contention, not the pool). A journal entry always balances: one debit and
 * one credit of 1.00 on two different accounts.
 */
export class RequestFactory {
  private readOnly = 0;
  private writes = 0;
  private readonly span: number;
  // Reads never change: built once, so the hot path allocates nothing for them.
  private readonly list: RequestSpec = {
    endpoint: 'accounts',
    method: 'GET',
    path: '/api/accounts',
    body: null,
    expectStatus: 200,
  };
  private readonly balances: RequestSpec[];

  constructor(
    private readonly accounts: AccountRange,
    private readonly memoPrefix = 'poolgate loadtest',
  ) {
    this.span = accounts.last - accounts.first + 1;
    this.balances = Array.from({ length: Math.min(this.span, 10_000) }, (_, i) => ({
      endpoint: 'balance' as const,
      method: 'GET' as const,
      path: `/api/accounts/${accounts.first + i}/balance`,
      body: null,
      expectStatus: 200,
    }));
  }

  make(endpoint: Endpoint): RequestSpec {
    if (endpoint === 'accounts') return this.list;
    if (endpoint === 'balance') return this.balances[this.readOnly++ % this.balances.length]!;
    const n = this.writes++;
    const debit = this.accounts.first + (n % this.span);
    // With a single account there is no second one to credit; the service then rejects the entry, visibly.
    const credit = this.span > 1 ? this.accounts.first + ((n + 1) % this.span) : debit;
    const body = JSON.stringify({
      memo: `${this.memoPrefix} #${n + 1}`,
      lines: [
        { account_id: debit, debit: '1.00', credit: '0' },
        { account_id: credit, debit: '0', credit: '1.00' },
      ],
    });
    return { endpoint, method: 'POST', path: '/api/journal-entries', body, expectStatus: 201 };
  }
}
