import t from 'tap';
import { formatDuration, parseDuration } from '../../../scripts/lib/loadgen/duration';
import { MixPicker, parseMixFlag, resolveMix, type Endpoint } from '../../../scripts/lib/loadgen/mix';
import { RequestFactory } from '../../../scripts/lib/loadgen/requests';
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

t.test('mix: read splits evenly between the two read endpoints', async (t) => {
  t.same(resolveMix(parseMixFlag('read=80,write=20')), { balance: 40, accounts: 40, write: 20 });
  t.same(resolveMix(parseMixFlag('balance=1')), { balance: 1, accounts: 0, write: 0 });
  t.throws(() => parseMixFlag('reads=80'), /expected name=weight/);
  t.throws(() => parseMixFlag('read=-1'), InputError);
  t.throws(() => resolveMix({ read: 0, write: 0 }), /at least one weight/);
});

t.test('the picker delivers the exact proportions, interleaved', async (t) => {
  const picker = new MixPicker(resolveMix({ read: 80, write: 20 }));
  const counts: Record<Endpoint, number> = { balance: 0, accounts: 0, write: 0 };
  const first10: Endpoint[] = [];
  for (let i = 0; i < 1000; i++) {
    const e = picker.next();
    counts[e]++;
    if (i < 10) first10.push(e);
  }
  t.same(counts, { balance: 400, accounts: 400, write: 200 });
  t.equal(first10.filter((e) => e === 'write').length, 2, 'writes spread through every window, not bunched');
});

t.test('requests: balanced journal entries on two accounts, reads over the seeded ids', async (t) => {
  const f = new RequestFactory({ first: 1, last: 20 }, 'test');
  const w = f.make('write');
  t.equal(w.method, 'POST');
  t.equal(w.path, '/api/journal-entries');
  t.equal(w.expectStatus, 201);
  const body = JSON.parse(w.body!) as {
    memo: string;
    lines: Array<{ account_id: number; debit: string; credit: string }>;
  };
  t.equal(body.lines.length, 2);
  t.not(body.lines[0]!.account_id, body.lines[1]!.account_id);
  t.same(
    [body.lines[0]!.debit, body.lines[0]!.credit, body.lines[1]!.debit, body.lines[1]!.credit],
    ['1.00', '0', '0', '1.00'],
  );
  const paths = Array.from({ length: 21 }, () => f.make('balance').path);
  t.equal(paths[0], '/api/accounts/1/balance');
  t.equal(paths[19], '/api/accounts/20/balance');
  t.equal(paths[20], '/api/accounts/1/balance', 'wraps around');
  t.same(f.make('accounts'), {
    endpoint: 'accounts',
    method: 'GET',
    path: '/api/accounts',
    body: null,
    expectStatus: 200,
  });
});
