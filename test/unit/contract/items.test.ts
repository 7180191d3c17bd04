import t from 'tap';
import { countersItem, endpointItem, plausibleItem, reloadItems } from '../../../scripts/lib/contract/items';
import type { ServiceMetrics } from '../../../scripts/types/service-metrics';
import type { ServicePoolConfig } from '../../../scripts/types/service-pool-config';

const win = { count: 3, p50: 1, p95: 2, p99: 3, max: 4 };
function metrics(over: Partial<ServiceMetrics['pool']> = {}, total = 10): ServiceMetrics {
  return {
    timestamp: '2026-01-01T00:00:01Z',
    instance: 'a',
    pid: 7,
    uptime_s: 5,
    window_s: 60,
    requests: { total, errors: 1, in_flight: 0 },
    latency: win,
    pool: {
      max: 50,
      min: 10,
      total: 12,
      idle: 10,
      active: 2,
      waiting: 0,
      utilization: 0.04,
      acquire_wait_ms: win,
      acquires: 20,
      hold_ms_sum: 40,
      acquire_timeouts: 0,
      connects: 12,
      disconnects: 0,
      errors: 0,
      generation: 1,
      ...over,
    },
  };
}
const pc = (over: Partial<ServicePoolConfig> = {}): ServicePoolConfig => ({
  instance: 'a',
  pool: { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
  source: '/etc/pool.json',
  sha256: 'a'.repeat(64),
  loaded_at: '2026-01-01T00:00:00Z',
  generation: 1,
  last_reload_error: null,
  reloading: false,
  ...over,
});
const answer = (status: number, type: string, body: unknown) => ({
  status,
  contentType: type,
  text: typeof body === 'string' ? body : JSON.stringify(body),
  error: null,
});

t.test('an endpoint answer: status, content type, JSON and schema, all said at once', async (t) => {
  t.equal(endpointItem('a', 'metrics', answer(200, 'application/json', metrics()), false).verdict, 'PASS');
  const bad = endpointItem('a', 'pool-config', answer(200, 'text/html', '<html>'), false);
  t.match(bad, {
    verdict: 'FAIL',
    detail: /content type "text\/html", expected application\/json; the body is not JSON/,
  });
  t.match(endpointItem('a', 'metrics', answer(401, 'application/json', {}), false), {
    detail: /answered 401, expected 200 \(it wants a token/,
  });
  t.match(endpointItem('a', 'health', answer(200, 'application/json', { status: 'draining' }), false), {
    verdict: 'FAIL',
    detail: /ok must be 200, else 503/,
  });
  t.equal(endpointItem('a', 'health', answer(503, 'application/json', { status: 'starting' }), false).verdict, 'PASS');
  t.equal(
    endpointItem('a', 'prometheus', answer(404, 'text/plain', ''), false).verdict,
    'WARN',
    '/metrics is optional',
  );
  t.match(endpointItem('a', 'metrics', { status: null, contentType: '', text: '', error: 'timeout' }, false), {
    verdict: 'FAIL',
    detail: 'timeout',
  });
});

t.test('counters may not go backwards within a process', async (t) => {
  t.equal(countersItem('a', metrics(), metrics({}, 11)).verdict, 'PASS');
  t.match(countersItem('a', metrics(), metrics({ connects: 3 }, 9)), {
    verdict: 'FAIL',
    detail: 'requests.total 10 → 9; pool.connects 12 → 3',
  });
  t.match(countersItem('a', metrics(), { ...metrics(), pid: 8 }), { verdict: 'FAIL', detail: /restarted/ });
});

t.test('windowed figures and gauges must agree', async (t) => {
  t.equal(plausibleItem('a', metrics(), pc()).verdict, 'PASS');
  const wrong = plausibleItem(
    'a',
    { ...metrics({ active: 5, generation: 2 }), latency: { count: 0, p50: 3, p95: 2, p99: 1, max: 1 } },
    pc({ pool: { ...pc().pool, max: 60 } }),
  );
  t.match(wrong.detail, /latency: p50 3 ≤ p95 2/);
  t.match(wrong.detail, /no observation in the window/);
  t.match(wrong.detail, /pool.active 5 ≠ total 12 − idle 10/);
  t.match(wrong.detail, /max\/min 50\/10 ≠ pool-config 60\/10/);
  t.match(wrong.detail, /generation 2 ≠ pool-config generation 1/);
});

t.test('a reload: new generation, same pool and process, nothing lost, served throughout', async (t) => {
  const before = { m: metrics(), pc: pc() };
  const after = { m: metrics({ generation: 2 }, 12), pc: pc({ generation: 2, sha256: 'b'.repeat(64) }) };
  const ok = reloadItems('a', { command: { code: 0, output: '' }, before, after, timeoutS: 30, health: [200, 200] });
  t.same(
    ok.map((i) => i.verdict),
    ['PASS', 'PASS', 'PASS', 'PASS', 'PASS'],
  );
  const noop = reloadItems('a', {
    command: { code: 0, output: '' },
    before,
    after: before,
    timeoutS: 30,
    health: [200],
  });
  t.match(noop.at(-1), { id: 'reload:a:generation', verdict: 'FAIL', detail: /same bytes are a no-op/ });
  const lost = reloadItems('a', {
    command: { code: 0, output: '' },
    before,
    after: { m: { ...metrics({ generation: 2, acquire_timeouts: 2 }, 12), pid: 7 }, pc: after.pc },
    timeoutS: 30,
    health: [200, 503],
  });
  t.match(
    lost.find((i) => i.id === 'reload:a:nothing-lost'),
    { verdict: 'FAIL', detail: /pool.acquire_timeouts \+2/ },
  );
  t.match(
    lost.find((i) => i.id === 'reload:a:health'),
    { verdict: 'FAIL', detail: /503/ },
  );
  const cmd = reloadItems('a', {
    command: { code: 1, output: 'no such host' },
    before,
    after: undefined,
    timeoutS: 30,
    health: [],
  });
  t.match(cmd, [{ verdict: 'FAIL', detail: /no such host/ }]);
});
