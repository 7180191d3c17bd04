import { atMost, below, ms, noLatencyWindow, pct, unknown, type Item } from './checklist';
import type { LogSummary } from './log-scan';
import type { InstanceSample } from './metrics-sampler';
import type { ServiceMetrics } from '../types/service-metrics';
import type { PoolConfig } from '../types/pool-config';
import type { ServicePoolConfig } from '../types/service-pool-config';
import type { VerifyConfig } from '../types/verify-config';
import { notMeasured } from './verdict';

/**
 * Pure: the runbook's Step 4 items. Definitions (documented in schemas/verify-config.schema.json):
 * - pool: every expected key equals the value in force (GET /api/health/pool-config), no failed reload.
 * - p95: below max_p95_ms, and not more than max_p95_regression above the baseline instance's p95 — where a
 *   regression must also add min_regression_ms (a 2 → 2.5 ms move is noise, not a regression).
 * - error rate spike: window error rate − baseline error rate > max_error_rate_spike fails.
 * - thrashing: pool (connects + disconnects) / s per instance above max_pool_churn_per_s, or client backends
 *   started within the window / window above max_new_backends_per_s.
 */
export interface BaselineInstance {
  latency_p95_ms: number | null;
  error_rate: number | null;
}

const KEYS = ['max', 'min', 'idleTimeoutMillis', 'connectionTimeoutMillis', 'acquireTimeoutMillis'] as const;
const SHORT = {
  max: 'max',
  min: 'min',
  idleTimeoutMillis: 'idle',
  connectionTimeoutMillis: 'connect',
  acquireTimeoutMillis: 'acquire',
} as const;

export function poolItem(
  name: string,
  expected: Partial<PoolConfig>,
  cfg: ServicePoolConfig | null,
  why: string | null,
): Item {
  const keys = KEYS.filter((k) => expected[k] !== undefined);
  const threshold = keys.map((k) => `${SHORT[k]}=${expected[k]}`).join(' ');
  const id = `pool:${name}`;
  const item = `pool in force ${name}`;
  if (!cfg) return unknown(id, item, threshold, why ?? 'no answer');
  const wrong = keys.filter((k) => cfg.pool[k] !== expected[k]);
  const read = {
    id,
    item,
    measured: `max=${cfg.pool.max} min=${cfg.pool.min} gen ${cfg.generation}`,
    value: cfg.pool.max,
    threshold,
  };
  const reloadFailed = cfg.last_reload_error;
  if (wrong.length > 0)
    return {
      ...read,
      verdict: 'FAIL',
      detail: `${wrong.map((k) => `${k} on ${name} is ${cfg.pool[k]}, expected ${expected[k]}`).join('; ')}${reloadFailed ? ` (last reload failed: ${reloadFailed.message})` : ''} — roll back (playbooks/rollback.yml) or re-apply the config`,
    };
  if (reloadFailed)
    return {
      ...read,
      verdict: 'FAIL',
      detail: `the last reload failed at ${reloadFailed.at}: ${reloadFailed.message}`,
    };
  if (cfg.reloading) return { ...read, verdict: 'WARN', detail: 'the old pool is still draining after the reload' };
  return { ...read, verdict: 'PASS' };
}

export function healthItem(name: string, status: string | null, why: string | null): Item {
  const base = { id: `health:${name}`, item: `health ${name}`, threshold: 'ok' };
  if (status === null)
    return { ...base, verdict: 'COULD_NOT_MEASURE', measured: notMeasured(), value: null, detail: why ?? 'no answer' };
  return {
    ...base,
    verdict: status === 'ok' ? 'PASS' : 'FAIL',
    measured: status,
    value: null,
    ...(status === 'ok' ? {} : { detail: `${name} is ${status}: it does not serve` }),
  };
}

type Thresholds = Required<
  Pick<VerifyConfig, 'max_p95_ms' | 'max_p95_regression' | 'min_regression_ms' | 'max_error_rate_spike'>
> & { max_pool_churn_per_s: number };

function p95Head(
  name: string,
  base: BaselineInstance | null,
  t: P95Thresholds,
): Pick<Item, 'id' | 'item' | 'threshold'> {
  return {
    id: `p95:${name}`,
    item: `p95 latency ${name}`,
    threshold: base?.latency_p95_ms
      ? `< ${t.max_p95_ms} ms, ≤ +${pct(t.max_p95_regression)} vs ${ms(base.latency_p95_ms)}`
      : `< ${t.max_p95_ms} ms`,
  };
}

type P95Thresholds = Pick<Thresholds, 'max_p95_ms' | 'max_p95_regression' | 'min_regression_ms'>;

/** An instance's p95, read in its metrics' latency window, against the absolute limit and the baseline's p95. */
export function p95Item(
  name: string,
  read: Pick<ServiceMetrics, 'latency'>,
  base: BaselineInstance | null,
  t: P95Thresholds,
): Item {
  const head = p95Head(name, base, t);
  const lat = read.latency;
  if (lat.count === 0) return noLatencyWindow(head, 'latency not judged');
  let verdict = below(lat.p95, t.max_p95_ms);
  let detail: string | undefined =
    verdict === 'FAIL' ? `p95 ${ms(lat.p95)} is not below ${t.max_p95_ms} ms` : undefined;
  if (base?.latency_p95_ms != null && base.latency_p95_ms > 0) {
    const regression = (lat.p95 - base.latency_p95_ms) / base.latency_p95_ms;
    if (regression > t.max_p95_regression && lat.p95 - base.latency_p95_ms >= t.min_regression_ms) {
      verdict = 'FAIL';
      detail = `${detail ? `${detail}; ` : ''}regressed ${pct(regression)} from ${ms(base.latency_p95_ms)} (limit ${pct(t.max_p95_regression)}): roll back`;
    }
  }
  return { ...head, verdict, measured: ms(lat.p95), value: lat.p95, ...(detail ? { detail } : {}) };
}

export type WarmLatency = Required<NonNullable<VerifyConfig['warm_latency']>>;

/**
 * Seconds until an instance's latency window holds only time after its first `warmupS` (0: it does now), or null
 * when the service does not say how long its window is (window_s is optional in the contract).
 */
export function untilWarm(read: Pick<ServiceMetrics, 'uptime_s' | 'window_s'>, warmupS: number): number | null {
  return read.window_s === undefined ? null : Math.max(0, read.window_s + warmupS - read.uptime_s);
}

/**
 * Seconds to wait before a p95 item is judged again on a warm read, or null when it is not to be: it passed, it
 * failed the absolute limit (a cold start does not excuse that), its window held no start, or the warm read is
 * further away than max_wait_s.
 */
export function coldRegressionWait(
  read: Pick<ServiceMetrics, 'uptime_s' | 'window_s'> | null,
  p95: Item,
  maxP95Ms: number,
  warm: WarmLatency,
): number | null {
  if (!read || p95.verdict !== 'FAIL' || p95.value == null || p95.value >= maxP95Ms) return null;
  const wait = untilWarm(read, warm.warmup_s);
  return wait !== null && wait > 0 && wait <= warm.max_wait_s ? wait : null;
}

/**
 * The p95 judged again on the warm read, saying what the cold one was; the cold item stands (with why) when the
 * warm read did not come or is not warm (the instance restarted meanwhile).
 */
export function warmP95Item(
  name: string,
  cold: Item,
  coldRead: Pick<ServiceMetrics, 'uptime_s' | 'window_s'>,
  warmRead: ServiceMetrics | string,
  base: BaselineInstance | null,
  t: P95Thresholds & { warmup_s: number },
): Item {
  const held = `at uptime ${Math.round(coldRead.uptime_s)} s its ${coldRead.window_s} s latency window held its start and read ${cold.measured}`;
  const keep = (why: string): Item => ({ ...cold, detail: `${cold.detail ?? ''}; read again once warm: ${why}` });
  if (typeof warmRead === 'string') return keep(warmRead);
  if (untilWarm(warmRead, t.warmup_s) !== 0)
    return keep(
      `at uptime ${Math.round(warmRead.uptime_s)} s its window still holds its first ${t.warmup_s} s (restarted?)`,
    );
  const warm = p95Item(name, warmRead, base, t);
  return { ...warm, detail: `${warm.detail ? `${warm.detail}; ` : ''}judged on a warm window: ${held}` };
}

export function sampleItems(s: InstanceSample, base: BaselineInstance | null, t: Thresholds): Item[] {
  const out: Item[] = [];
  const spikeBase = base?.error_rate ?? 0;
  const er = {
    id: `error_rate:${s.name}`,
    item: `error rate spike ${s.name}`,
    threshold: `≤ ${pct(spikeBase)} + ${pct(t.max_error_rate_spike)}`,
  };
  const churn = { id: `thrashing:${s.name}`, item: `pool churn ${s.name}`, threshold: `≤ ${t.max_pool_churn_per_s}/s` };
  if (!s.second || !s.rates || s.error) {
    const detail = s.error ?? 'no sample';
    for (const b of [p95Head(s.name, base, t), er, churn])
      out.push({ ...b, verdict: 'COULD_NOT_MEASURE', measured: notMeasured(), value: null, detail });
    return out;
  }
  out.push(p95Item(s.name, s.second, base, t));
  const r = s.rates;
  if (!r.usable) {
    const detail = `${r.reason ?? 'interval not usable'}; run verify again`;
    out.push({ ...er, verdict: 'COULD_NOT_MEASURE', measured: notMeasured(), value: null, detail });
    out.push({ ...churn, verdict: 'COULD_NOT_MEASURE', measured: notMeasured(), value: null, detail });
    return out;
  }
  if (r.error_rate === null)
    out.push({
      ...er,
      verdict: 'WARN',
      measured: 'no requests',
      value: null,
      detail: `no traffic in the ${r.interval_s.toFixed(1)} s window: error rate not judged`,
    });
  else {
    const spike = r.error_rate - spikeBase;
    const ok = spike <= t.max_error_rate_spike;
    out.push({
      ...er,
      verdict: ok ? 'PASS' : 'FAIL',
      measured: `${pct(r.error_rate)} (${r.errors}/${r.requests})`,
      value: r.error_rate,
      ...(ok ? {} : { detail: `error rate rose by ${pct(spike)}: roll back` }),
    });
  }
  const ok = atMost(r.churn_per_s, t.max_pool_churn_per_s);
  const swapped = s.first && s.first.pool.generation !== s.second.pool.generation;
  if (swapped && ok === 'FAIL') {
    // A reload inside the window opens the new pool and closes the old one: that churn is the swap, not thrashing.
    out.push({
      ...churn,
      verdict: 'WARN',
      measured: `${r.churn_per_s.toFixed(2)}/s (${r.connects} opened, ${r.disconnects} closed in ${r.interval_s.toFixed(1)} s)`,
      value: r.churn_per_s,
      detail: `the pool was swapped during the window (generation ${s.first!.pool.generation} → ${s.second.pool.generation}): run verify again to judge thrashing`,
    });
    return out;
  }
  out.push({
    ...churn,
    verdict: ok,
    measured: `${r.churn_per_s.toFixed(2)}/s (${r.connects} opened, ${r.disconnects} closed in ${r.interval_s.toFixed(1)} s)`,
    value: r.churn_per_s,
    ...(ok === 'FAIL'
      ? {
          detail:
            'connection thrashing: the pool opens and closes connections instead of reusing them (idle timeout too short, connections failing, or the pool too small for the load)',
        }
      : {}),
  });
  return out;
}

export function connectionsItem(
  counted: number,
  range: { min: number; max: number },
  belowMin: 'fail' | 'warn',
  scope: string,
): Item {
  const base = {
    id: 'db_connections',
    item: `db connections (${scope})`,
    measured: String(counted),
    value: counted,
    threshold: `${range.min}–${range.max}`,
  };
  if (counted > range.max)
    return {
      ...base,
      verdict: 'FAIL',
      detail: `more connections than min pool + active queries: a leak, thrashing, or an old pool still open`,
    };
  if (counted < range.min) {
    const hint =
      counted === 0 && scope === 'instances'
        ? ' (none carries an instance name as application_name: set verify.connections.scope to "database")'
        : '';
    return {
      ...base,
      verdict: belowMin === 'fail' ? 'FAIL' : 'WARN',
      detail: `fewer than the pools' min: pg.Pool does not pre-open min connections, or an instance is not connected${hint}`,
    };
  }
  return { ...base, verdict: 'PASS' };
}

export function newBackendsItem(count: number, windowS: number, max: number): Item {
  const rate = count / windowS;
  const ok = atMost(rate, max);
  return {
    id: 'thrashing:db',
    item: 'new db backends',
    verdict: ok,
    measured: `${rate.toFixed(2)}/s (${count} in ${windowS.toFixed(1)} s)`,
    value: rate,
    threshold: `≤ ${max}/s`,
    ...(ok === 'FAIL'
      ? { detail: 'connection thrashing seen by PostgreSQL: sessions are being opened at a high rate' }
      : {}),
  };
}

export function logItem(l: LogSummary | { name: string; path: string; error: string }): Item {
  const base = { id: `log:${l.name}`, item: `error log lines ${l.name}`, threshold: '0 since' };
  if ('error' in l)
    return { ...base, verdict: 'COULD_NOT_MEASURE', measured: notMeasured(), value: null, detail: l.error };
  const ok = l.error_lines === 0;
  return {
    ...base,
    threshold: `0 since ${l.since ?? 'start'}`,
    verdict: ok ? 'PASS' : 'FAIL',
    measured: `${l.error_lines} error, ${l.pool_lines} pool lines`,
    value: l.error_lines,
    ...(ok
      ? {}
      : {
          detail: `newest: ${l.last_errors
            .slice(-3)
            .map((x) => `${x.time ?? '?'} ${x.msg}`)
            .join(' | ')}`,
        }),
  };
}
