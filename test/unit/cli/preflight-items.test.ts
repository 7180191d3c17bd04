import { judgeWindow, judgeWindowFit } from '../../../scripts/lib/change-window';
import t from 'tap';
import { verdictOf, type Item } from '../../../scripts/lib/checklist';
import { exitCodeOfVerdict } from '../../../scripts/lib/verdict';
import type { InstanceSample } from '../../../scripts/lib/metrics-sampler';
import * as P from '../../../scripts/lib/preflight-items';
import { withDefaults } from '../../../scripts/lib/schema-defaults';
import type { PreflightConfig } from '../../../scripts/types/preflight-config';

const pct = { count: 100, p50: 5, p95: 499.9, p99: 600, max: 700 };
function sample(requests: number, errors: number, p95: number, usable = true): InstanceSample {
  const m = {
    timestamp: '2026-02-01T02:00:10Z',
    instance: 'p1',
    pid: 1,
    uptime_s: 10,
    requests: { total: requests, errors, in_flight: 0 },
    latency: { ...pct, p95 },
    pool: {
      max: 50,
      min: 10,
      total: 10,
      idle: 10,
      active: 0,
      waiting: 0,
      utilization: 0,
      acquire_wait_ms: pct,
      acquires: 0,
      hold_ms_sum: 0,
      acquire_timeouts: 0,
      connects: 0,
      disconnects: 0,
      errors: 0,
      generation: 1,
    },
  };
  return {
    name: 'p1',
    url: 'http://p1',
    first: m,
    second: m,
    error: null,
    rates: {
      usable,
      ...(usable ? {} : { reason: 'restarted during the window (pid 1 → 2): counters reset' }),
      interval_s: 10,
      requests,
      errors,
      error_rate: requests > 0 ? errors / requests : null,
      requests_per_s: requests / 10,
      connects: 0,
      disconnects: 0,
      churn_per_s: 0,
      acquire_timeouts: 0,
      pool_errors: 0,
    },
  };
}
const statusOf = (items: Item[], id: string): string => items.find((i) => i.id === id)!.verdict;

t.test("the defaults are the runbook's values, filled from the schema", async (t) => {
  const cfg = withDefaults<PreflightConfig>('preflight-config', {});
  t.equal(cfg.max_error_rate, 0.001);
  t.equal(cfg.max_p95_ms, 500);
  t.equal(cfg.backup!.max_age_h, 24);
  t.equal(cfg.database!.max_blocked_sessions, 0);
  t.same(cfg.change_window, { start: '02:00', end: '06:00', tz: 'UTC', per_host_s: 120 });
  t.equal(cfg.max_on_call_response_minutes, 30);
  t.equal(cfg.capacity!.overlap, 'one_instance');
  const given = withDefaults<PreflightConfig>('preflight-config', {
    max_p95_ms: 300,
    database: { max_blocked_sessions: 2 },
  });
  t.equal(given.max_p95_ms, 300, 'a given value is kept');
  t.equal(given.database!.max_blocked_sessions, 2);
  t.equal(given.database!.max_long_transaction_s, 60, 'its siblings get defaults');
});

t.test('error rate: < 0.1 % passes, exactly 0.1 % fails', async (t) => {
  t.equal(statusOf(P.instanceItems([sample(10000, 9, 10)], 0.001, 500), 'error_rate:p1'), 'PASS');
  t.equal(statusOf(P.instanceItems([sample(10000, 10, 10)], 0.001, 500), 'error_rate:p1'), 'FAIL');
  t.equal(
    statusOf(P.instanceItems([sample(0, 0, 10)], 0.001, 500), 'error_rate:p1'),
    'WARN',
    'no traffic: nothing to judge',
  );
  t.equal(
    statusOf(P.instanceItems([sample(100, 0, 10, false)], 0.001, 500), 'error_rate:p1'),
    'COULD_NOT_MEASURE',
    'a counter reset is not usable',
  );
});

t.test('p95: 499.9 ms passes, exactly 500 ms fails', async (t) => {
  t.equal(statusOf(P.instanceItems([sample(100, 0, 499.9)], 0.001, 500), 'p95:p1'), 'PASS');
  t.equal(statusOf(P.instanceItems([sample(100, 0, 500)], 0.001, 500), 'p95:p1'), 'FAIL');
});

t.test('an unreachable instance is COULD_NOT_MEASURE for both items', async (t) => {
  const items = P.instanceItems(
    [{ name: 'p1', url: 'http://p1', first: null, second: null, rates: null, error: 'GET failed: ECONNREFUSED' }],
    0.001,
    500,
  );
  t.same(
    items.map((i) => i.verdict),
    ['COULD_NOT_MEASURE', 'COULD_NOT_MEASURE'],
  );
});

t.test('blocked sessions: at the limit passes', async (t) => {
  const b = {
    pid: 1,
    application_name: 'x',
    state: 'active',
    wait_event: 'Lock:relation',
    blocked_by: [2],
    waiting_s: 3,
  };
  t.equal(P.blockedItem([], 0).verdict, 'PASS');
  t.equal(P.blockedItem([b], 0).verdict, 'FAIL');
  t.match(P.blockedItem([b], 0).detail, /pid 1 .* on 2/);
  t.equal(P.blockedItem([b], 1).verdict, 'PASS');
});

t.test('transactions: long and idle-in-transaction (aborted too), at the limit passes', async (t) => {
  const tx = (state: string, xact: number, st: number) => ({
    pid: 7,
    application_name: 'a',
    state,
    xact_age_s: xact,
    state_age_s: st,
  });
  const [long, idle] = P.transactionItems([tx('active', 60, 1), tx('idle in transaction (aborted)', 10, 30)], 60, 30);
  t.equal(long!.verdict, 'PASS');
  t.equal(idle!.verdict, 'PASS');
  const [long2, idle2] = P.transactionItems(
    [tx('active', 60.1, 1), tx('idle in transaction (aborted)', 40, 30.1)],
    60,
    30,
  );
  t.equal(long2!.verdict, 'FAIL');
  t.equal(idle2!.verdict, 'FAIL');
  t.match(idle2!.detail, /idle in transaction \(aborted\)/);
});

t.test('replication: bytes and seconds at the limit pass; paused fails; missing replicas fail', async (t) => {
  const cfg = { max_replication_lag_bytes: 1000, max_replication_lag_s: 5, expect_replicas: 1 };
  const r = (bytes: number, s: number) => ({
    application_name: 'r1',
    client_addr: '127.0.0.1',
    state: 'streaming',
    lag_bytes: bytes,
    replay_lag_s: s,
  });
  t.equal(statusOf(P.replicationItems([r(1000, 5)], [], cfg), 'replication_lag:r1'), 'PASS');
  t.equal(statusOf(P.replicationItems([r(1001, 0)], [], cfg), 'replication_lag:r1'), 'FAIL');
  t.equal(statusOf(P.replicationItems([r(0, 5.1)], [], cfg), 'replication_lag:r1'), 'FAIL');
  t.equal(statusOf(P.replicationItems([], [], cfg), 'replicas_connected'), 'FAIL');
  t.equal(statusOf(P.replicationItems([], [], { ...cfg, expect_replicas: 0 }), 'replication'), 'PASS');
  const paused = {
    name: 'r1',
    error: null,
    self: { receive_lsn: '0/3', replay_lsn: '0/3', lag_bytes: 0, lag_s: 0, paused: true },
  };
  t.equal(statusOf(P.replicationItems([r(0, 0)], [paused], cfg), 'replica:r1'), 'FAIL');
});

t.test('change window: a run that fits passes, outside fails, an override is a recorded WARN', async (t) => {
  const spec = { start: '02:00', end: '06:00' };
  const item = (iso: string, runS: number, override?: { reason: string; by: string }) => {
    const now = new Date(iso);
    return P.changeWindowItem(judgeWindow(now, spec), judgeWindowFit(now, spec, runS), `${runS}s`, override);
  };
  t.equal(item('2026-02-01T02:10:00Z', 3600).verdict, 'PASS');
  t.equal(item('2026-02-01T12:00:00Z', 60).verdict, 'FAIL', 'outside');
  t.match(item('2026-02-01T12:00:00Z', 60).detail, /outside the window .*next window opens 2026-02-02 02:00 UTC/);
  const o = item('2026-02-01T12:00:00Z', 60, { reason: 'hotfix for INC-42', by: 'lead' });
  t.equal(o.verdict, 'WARN');
  t.match(o.detail, /lead: hotfix for INC-42/);
});

t.test(
  'change window: a run that would end after the window closes is refused, saying when and when next',
  async (t) => {
    const spec = { start: '02:00', end: '06:00' };
    const at = (iso: string) => new Date(iso);
    // The example: started 05:30 with a 10-minute load test and a 60-minute watch: 06:45, past 06:00.
    const late = judgeWindowFit(at('2026-02-01T05:30:00Z'), spec, 75 * 60);
    t.same(late, {
      run_length_s: 4500,
      ends_at: '2026-02-01T06:45:00.000Z',
      closes_at: '2026-02-01T06:00:00.000Z',
      next_opens_at: '2026-02-02T02:00:00.000Z',
      window_s: 4 * 3600,
      fits: false,
    });
    const i = P.changeWindowItem(judgeWindow(at('2026-02-01T05:30:00Z'), spec), late, '75m');
    t.equal(i.verdict, 'FAIL');
    t.equal(
      i.detail,
      'the run needs up to 75m: started now it would end at 06:45 UTC, after the window closes at 06:00 UTC; the next window opens 2026-02-02 02:00 UTC. Wait, or record an override {reason, by} in plan.preflight.change_window.override',
    );
    t.equal(judgeWindowFit(at('2026-02-01T04:45:00Z'), spec, 75 * 60).fits, true, 'ending exactly at 06:00 fits');
    t.equal(judgeWindowFit(at('2026-02-01T04:45:01Z'), spec, 75 * 60).fits, false, 'a second later does not');
    const never = judgeWindowFit(at('2026-02-01T02:00:00Z'), spec, 5 * 3600);
    t.match(
      P.changeWindowItem(judgeWindow(at('2026-02-01T02:00:00Z'), spec), never, '300m').detail,
      /longer than the whole window: no start fits/,
    );
    const wrap = judgeWindowFit(at('2026-02-01T23:30:00Z'), { start: '22:00', end: '02:00' }, 3600);
    t.same(
      [wrap.fits, wrap.closes_at, wrap.next_opens_at],
      [true, '2026-02-02T02:00:00.000Z', '2026-02-02T22:00:00.000Z'],
    );
    const over = P.changeWindowItem(judgeWindow(at('2026-02-01T05:30:00Z'), spec), late, '75m', {
      reason: 'INC-42 fix',
      by: 'lead',
    });
    t.equal(over.verdict, 'WARN', 'the override keeps working, with its reason');
    t.match(over.detail, /would end at 06:45 UTC.*overridden by lead: INC-42 fix/);
  },
);

t.test('on-call: 30 minutes passes, 31 fails, nobody fails', async (t) => {
  t.equal(P.onCallItem({ name: 'A', response_minutes: 30 }, 30).verdict, 'PASS');
  t.equal(P.onCallItem({ name: 'A', response_minutes: 31 }, 30).verdict, 'FAIL');
  t.equal(P.onCallItem(undefined, 30).verdict, 'FAIL');
});

t.test('verdict: FAIL beats COULD_NOT_MEASURE beats PASS; WARN never fails; exit codes 1, 3, 0', async (t) => {
  const i = (verdict: Item['verdict']): Item => ({ id: verdict, item: verdict, verdict, measured: '', threshold: '' });
  t.equal(verdictOf([i('PASS'), i('WARN')]), 'PASS');
  t.equal(verdictOf([i('PASS'), i('COULD_NOT_MEASURE')]), 'COULD_NOT_MEASURE');
  t.equal(verdictOf([i('COULD_NOT_MEASURE'), i('FAIL')]), 'FAIL');
  t.same([exitCodeOfVerdict('PASS'), exitCodeOfVerdict('FAIL'), exitCodeOfVerdict('COULD_NOT_MEASURE')], [0, 1, 3]);
});
