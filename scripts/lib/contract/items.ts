import type { Endpoint } from '../../../agent/endpoints';
import { passed as pass, type Item } from '../checklist';
import { problemsOf } from '../schema';
import type { ServiceMetrics } from '../../types/service-metrics';
import type { ServicePoolConfig } from '../../types/service-pool-config';
import type { ContractReading, RawAnswer } from './read';

/**
 * Pure: the contract's items (docs/service-contract.md) from raw readings. An endpoint item says all that is wrong
 * with one answer (status, content type, JSON, schema); the others compare documents and readings.
 */
const SCHEMA: Record<Exclude<Endpoint, 'prometheus'>, string> = {
  health: 'service-health',
  metrics: 'service-metrics',
  'pool-config': 'service-pool-config',
};
const PATH: Record<Endpoint, string> = {
  health: 'GET /health',
  metrics: 'GET /api/health/metrics',
  'pool-config': 'GET /api/health/pool-config',
  prometheus: 'GET /metrics',
};

/** Cumulative counters of /api/health/metrics: they may only grow within one process. */
export const COUNTERS = [
  'requests.total',
  'requests.errors',
  'pool.acquires',
  'pool.hold_ms_sum',
  'pool.acquire_timeouts',
  'pool.connects',
  'pool.disconnects',
  'pool.errors',
] as const;

const fail = (id: string, item: string, measured: string, threshold: string, problems: string[]): Item => ({
  id,
  item,
  verdict: 'FAIL',
  measured,
  value: null,
  threshold,
  detail: problems.join('; '),
});

export function parsed(a: RawAnswer): unknown {
  try {
    return JSON.parse(a.text);
  } catch {
    return undefined;
  }
}

/** One endpoint's answer against the contract. */
export function endpointItem(name: string, endpoint: Endpoint, a: RawAnswer, tokenSent: boolean): Item {
  const id = `endpoint:${name}:${endpoint}`;
  const item = `${PATH[endpoint]} ${name}`;
  const measured = a.status === null ? 'no answer' : `${a.status} ${a.contentType.split(';')[0] || '(no type)'}`;
  if (a.status === null) return fail(id, item, measured, 'answers', [a.error ?? 'no answer']);
  if (endpoint === 'prometheus') {
    const threshold = '200 text/plain with poolgate_* series (optional)';
    if (a.status === 404)
      return {
        id,
        item,
        verdict: 'WARN',
        measured,
        value: null,
        threshold,
        detail: 'not served: --metrics-source scrape and prometheus cannot read this instance',
      };
    const problems: string[] = [];
    if (a.status !== 200) problems.push(`answered ${a.status}, expected 200${unauthorized(a.status, tokenSent)}`);
    if (!/^text\/plain\b/.test(a.contentType)) problems.push(`content type "${a.contentType}", expected text/plain`);
    for (const series of ['poolgate_pool_max', 'poolgate_service_requests_total', 'poolgate_pool_acquires_total'])
      if (!new RegExp(`^${series}(\\{| )`, 'm').test(a.text)) problems.push(`no ${series} series`);
    return problems.length ? fail(id, item, measured, threshold, problems) : pass(id, item, measured, threshold);
  }
  const okStatus = endpoint === 'health' ? [200, 503] : [200];
  const threshold = `${okStatus.join(' or ')} application/json, schemas/${SCHEMA[endpoint]}.schema.json`;
  const problems: string[] = [];
  if (!okStatus.includes(a.status))
    problems.push(`answered ${a.status}, expected ${okStatus.join(' or ')}${unauthorized(a.status, tokenSent)}`);
  if (!/^application\/json\b/.test(a.contentType))
    problems.push(`content type "${a.contentType}", expected application/json`);
  const body = parsed(a);
  if (body === undefined) problems.push('the body is not JSON');
  else {
    problems.push(...problemsOf(SCHEMA[endpoint], body).map((p) => `schema: ${p}`));
    if (endpoint === 'health' && problems.length === 0) {
      const ok = (body as { status: string }).status === 'ok';
      if (ok !== (a.status === 200))
        problems.push(
          `status "${(body as { status: string }).status}" with HTTP ${a.status}: ok must be 200, else 503`,
        );
    }
  }
  return problems.length ? fail(id, item, measured, threshold, problems) : pass(id, item, measured, threshold);
}

function unauthorized(status: number, tokenSent: boolean): string {
  if (status !== 401) return '';
  return tokenSent
    ? ' (the token sent was refused)'
    : ' (it wants a token: give the target token_file or token_env, or --token-file)';
}

/** The two documents of a reading, when both answered valid (else the endpoint items already failed). */
export function documents(r: ContractReading): { m: ServiceMetrics; pc: ServicePoolConfig } | undefined {
  const m = parsed(r.metrics);
  const pc = parsed(r['pool-config']);
  if (r.metrics.status !== 200 || r['pool-config'].status !== 200) return undefined;
  if (problemsOf('service-metrics', m).length || problemsOf('service-pool-config', pc).length) return undefined;
  return { m: m as ServiceMetrics, pc: pc as ServicePoolConfig };
}

function counter(m: ServiceMetrics, path: (typeof COUNTERS)[number]): number {
  const [a, b] = path.split('.') as ['requests' | 'pool', string];
  return (m[a] as unknown as Record<string, number>)[b]!;
}

/** What went backwards from `before` to `after` (same process), as "requests.total 12 → 3". */
export function backwards(before: ServiceMetrics, after: ServiceMetrics): string[] {
  return COUNTERS.filter((c) => counter(after, c) < counter(before, c)).map(
    (c) => `${c} ${counter(before, c)} → ${counter(after, c)}`,
  );
}

/** Counters between two reads: same process, never lower, time moving forward. */
export function countersItem(name: string, a: ServiceMetrics, b: ServiceMetrics): Item {
  const id = `counters:${name}`;
  const item = `counters never go backwards ${name}`;
  const threshold = `${COUNTERS.length} counters ≥ their first read, same pid`;
  const measured = `requests.total ${a.requests.total} → ${b.requests.total}`;
  if (a.pid !== b.pid)
    return fail(id, item, measured, threshold, [
      `pid ${a.pid} → ${b.pid}: the process restarted between two reads; check again`,
    ]);
  const problems = backwards(a, b);
  if (b.uptime_s < a.uptime_s) problems.push(`uptime_s ${a.uptime_s} → ${b.uptime_s}`);
  if (Date.parse(b.timestamp) < Date.parse(a.timestamp)) problems.push(`timestamp ${a.timestamp} → ${b.timestamp}`);
  return problems.length ? fail(id, item, measured, threshold, problems) : pass(id, item, measured, threshold);
}

function windowProblems(what: string, w: ServiceMetrics['latency']): string[] {
  const out: string[] = [];
  if (!(w.p50 <= w.p95 && w.p95 <= w.p99 && w.p99 <= w.max))
    out.push(`${what}: p50 ${w.p50} ≤ p95 ${w.p95} ≤ p99 ${w.p99} ≤ max ${w.max} does not hold`);
  if (w.count === 0 && (w.p50 || w.p95 || w.p99 || w.max))
    out.push(`${what}: no observation in the window, yet percentiles are not 0`);
  return out;
}

/** Windowed figures and gauges that must agree with each other and with the pool config in force. */
export function plausibleItem(name: string, m: ServiceMetrics, pc: ServicePoolConfig): Item {
  const id = `plausible:${name}`;
  const item = `figures plausible ${name}`;
  const threshold = 'p50≤p95≤p99≤max, active=total−idle, utilization=active/max, metrics agree with pool-config';
  const p = m.pool;
  const problems = [
    ...windowProblems('latency', m.latency),
    ...windowProblems('pool.acquire_wait_ms', p.acquire_wait_ms),
  ];
  if (m.requests.errors > m.requests.total)
    problems.push(`requests.errors ${m.requests.errors} > requests.total ${m.requests.total}`);
  if (p.active !== p.total - p.idle) problems.push(`pool.active ${p.active} ≠ total ${p.total} − idle ${p.idle}`);
  const util = p.max > 0 ? p.active / p.max : 0;
  if (Math.abs(p.utilization - util) > 0.001) problems.push(`pool.utilization ${p.utilization} ≠ active/max ${util}`);
  if (p.max !== pc.pool.max || p.min !== pc.pool.min)
    problems.push(`metrics pool max/min ${p.max}/${p.min} ≠ pool-config ${pc.pool.max}/${pc.pool.min}`);
  if (p.generation !== pc.generation)
    problems.push(`metrics pool.generation ${p.generation} ≠ pool-config generation ${pc.generation}`);
  if (m.instance !== pc.instance) problems.push(`instance "${m.instance}" in metrics, "${pc.instance}" in pool-config`);
  if (pc.pool.min > pc.pool.max) problems.push(`pool in force has min ${pc.pool.min} > max ${pc.pool.max}`);
  const measured = `p95 ${m.latency.p95} ms, ${p.active}/${p.max} active, gen ${pc.generation}`;
  return problems.length ? fail(id, item, measured, threshold, problems) : pass(id, item, measured, threshold);
}

export interface ReloadObservation {
  command: { code: number | null; output: string };
  before: { m: ServiceMetrics; pc: ServicePoolConfig };
  /** the first reading showing a new generation with reloading false, or the last one read before the timeout */
  after: { m: ServiceMetrics; pc: ServicePoolConfig } | undefined;
  timeoutS: number;
  /** /health answers seen while waiting: status codes, null for no answer */
  health: (number | null)[];
}

/** A reload: a new generation, the same pool in the same process, nothing lost, served throughout. */
export function reloadItems(name: string, o: ReloadObservation): Item[] {
  const items: Item[] = [];
  const id = (k: string): string => `reload:${name}:${k}`;
  const cmdThreshold = 'exit 0';
  if (o.command.code !== 0) {
    items.push(
      fail(id('command'), `reload command ${name}`, `exit ${o.command.code ?? 'killed'}`, cmdThreshold, [
        `the reload command failed: ${o.command.output.trim().slice(-300) || 'no output'}`,
      ]),
    );
    return items;
  }
  items.push(pass(id('command'), `reload command ${name}`, 'exit 0', cmdThreshold));
  const { before, after } = o;
  const gen = `generation ${before.pc.generation} → ${after?.pc.generation ?? '?'}`;
  const genThreshold = `> ${before.pc.generation} within ${o.timeoutS} s, reloading false, no reload error`;
  if (!after || after.pc.generation <= before.pc.generation || after.pc.reloading) {
    const why = after?.pc.last_reload_error
      ? `the reload failed: ${after.pc.last_reload_error.message}`
      : `no new generation within ${o.timeoutS} s${after?.pc.reloading ? ' (still reloading)' : ''}: the reload command must make the service load a changed file (same settings, other bytes) — the same bytes are a no-op`;
    items.push(fail(id('generation'), `reload seen ${name}`, gen, genThreshold, [why]));
    return items;
  }
  items.push(
    after.pc.last_reload_error
      ? fail(id('generation'), `reload seen ${name}`, gen, genThreshold, [
          `last_reload_error: ${after.pc.last_reload_error.message}`,
        ])
      : pass(id('generation'), `reload seen ${name}`, gen, genThreshold),
  );
  const same: string[] = [];
  if (after.m.pid !== before.m.pid) same.push(`pid ${before.m.pid} → ${after.m.pid}: a restart, not a reload`);
  for (const k of Object.keys(before.pc.pool) as (keyof ServicePoolConfig['pool'])[])
    if (after.pc.pool[k] !== before.pc.pool[k]) same.push(`${k} ${before.pc.pool[k]} → ${after.pc.pool[k]}`);
  items.push(
    same.length
      ? fail(id('same-pool'), `same pool after reload ${name}`, `pid ${after.m.pid}`, 'same pid, same settings', same)
      : pass(id('same-pool'), `same pool after reload ${name}`, `pid ${after.m.pid}`, 'same pid, same settings'),
  );
  const lost = after.m.pid === before.m.pid ? backwards(before.m, after.m) : [];
  for (const k of ['requests.errors', 'pool.acquire_timeouts'] as const) {
    const d = counter(after.m, k) - counter(before.m, k);
    if (d > 0) lost.push(`${k} +${d} during the reload`);
  }
  const lostThreshold = 'counters carried on, no new error or acquire timeout';
  items.push(
    lost.length
      ? fail(id('nothing-lost'), `nothing lost in reload ${name}`, `${lost.length} problem(s)`, lostThreshold, lost)
      : pass(id('nothing-lost'), `nothing lost in reload ${name}`, 'counters carried on', lostThreshold),
  );
  const bad = o.health.filter((s) => s !== 200);
  const healthMeasured = `${o.health.length - bad.length}/${o.health.length} answers 200`;
  items.push(
    bad.length
      ? fail(id('health'), `served during reload ${name}`, healthMeasured, '/health 200 throughout', [
          `/health answered ${bad.map((s) => s ?? 'nothing').join(', ')} during the reload`,
        ])
      : pass(id('health'), `served during reload ${name}`, healthMeasured, '/health 200 throughout'),
  );
  return items;
}
