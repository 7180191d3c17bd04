import t from 'tap';
import { GateFailedError } from '../../scripts/lib/errors';
import { reached, waitForServer } from '../../scripts/lib/lb-wait';

void t.test('what counts as drained and as up', async (t) => {
  t.ok(reached('drained', { status: 'DRAIN', scur: 0 }), 'DRAIN with no session');
  t.notOk(reached('drained', { status: 'DRAIN', scur: 2 }), 'DRAIN with sessions in flight is not drained yet');
  t.ok(reached('drained', { status: 'DOWN', scur: 0 }), 'a DOWN server (stopped instance) with no session');
  t.ok(reached('drained', { status: 'MAINT', scur: 0 }), 'MAINT with no session');
  t.notOk(reached('drained', { status: 'UP', scur: 0 }), 'UP takes new sessions: not drained');
  t.ok(reached('up', { status: 'UP', scur: 3 }), 'UP');
  t.ok(reached('up', { status: 'UP 1/2', scur: 0 }), 'UP while rising counts');
  t.notOk(reached('up', { status: 'DRAIN', scur: 0 }), 'DRAIN is not up');
  t.notOk(reached('up', { status: 'DOWN', scur: 0 }), 'DOWN is not up');
});

void t.test('the wait is bounded and says where it stopped', async (t) => {
  let clock = 0;
  const opts = { timeoutMs: 3000, intervalMs: 1000, now: () => clock, sleep: async (ms: number) => void (clock += ms) };
  const states = [
    { status: 'DRAIN', scur: 2 },
    { status: 'DRAIN', scur: 1 },
    { status: 'DRAIN', scur: 0 },
  ];
  const r = await waitForServer(async () => states.shift()!, 'drained', 'app/p1', opts);
  t.same(r, { status: 'DRAIN', sessions: 0, waited_ms: 2000 }, 'returns once sessions reach zero');
  clock = 0;
  await t.rejects(
    waitForServer(async () => ({ status: 'DRAIN', scur: 5 }), 'drained', 'app/p1', opts),
    GateFailedError,
    'a server that keeps sessions fails the wait',
  );
  clock = 0;
  await t.rejects(
    waitForServer(async () => ({ status: 'DRAIN', scur: 5 }), 'drained', 'app/p1', opts),
    /app\/p1 not drained after 3 s: status DRAIN, 5 current sessions/,
    'naming the server and its state',
  );
});
