import type { ServiceMetrics } from '../../types/service-metrics';
import type { SampleInstance, MonitorSample, Why } from '../../types/monitor-sample';
import { instanceInterval } from './rates';

export interface InstanceObservation {
  name: string;
  metrics?: ServiceMetrics;
  error?: string;
}

/** The database probe: backends now and the cumulative session counter (pg_stat_database.sessions). */
export interface DbObservation {
  configured: boolean;
  backends?: number;
  sessions?: number;
  error?: string;
}

/** A DB CPU reading: a percentage, or null with why (a /proc source needs two readings for a rate). */
export interface CpuObservation {
  configured: boolean;
  pct?: number | null;
  why?: Why;
  error?: string;
}

export interface P0Observation {
  signalled: boolean;
  source?: string;
  error?: string;
}

export interface Observation {
  at_ms: number;
  instances: InstanceObservation[];
  db: DbObservation;
  cpu: CpuObservation;
  p0: P0Observation;
}

/** What the next sample differences against: each instance's last answer and the last session count. */
export interface SamplerState {
  started_ms: number;
  seq: number;
  instances: Record<string, ServiceMetrics>;
  db?: { sessions: number; at_ms: number };
}

export function initialState(startedMs: number): SamplerState {
  return { started_ms: startedMs, seq: 0, instances: {} };
}

const max = (xs: number[]): number | null => (xs.length ? Math.max(...xs) : null);

/**
 * Turn one round of observations into a sample (pure). Fleet figures use only instances measured this round:
 * error rate = ΣΔerrors/ΣΔrequests over instances with a valid interval; p95 = the worst instance's p95 ("max",
 * the default: the users of the slowest instance see it) or the instances' p95 weighted by their Δrequests
 * ("traffic_weighted": an approximation, percentiles do not average); utilisation and acquire wait = max;
 * churn = sum; active = Σ. A percentile over an empty window (count 0) is null, not 0.
 */
export function buildSample(
  state: SamplerState,
  obs: Observation,
  fleetP95: 'max' | 'traffic_weighted' = 'max',
): { sample: MonitorSample; state: SamplerState } {
  const nextInstances = { ...state.instances };
  const instances: SampleInstance[] = obs.instances.map((o) => {
    if (!o.metrics) return { name: o.name, measured: false, error: o.error ?? 'no answer', rate_why: 'unmeasured' };
    const m = o.metrics;
    const iv = instanceInterval(state.instances[o.name], m);
    nextInstances[o.name] = m;
    return {
      name: o.name,
      measured: true,
      pid: m.pid,
      interval_s: iv.interval_s,
      ...(iv.rate_why ? { rate_why: iv.rate_why } : {}),
      requests: iv.requests,
      errors: iv.errors,
      acquire_timeouts: iv.acquire_timeouts,
      error_rate: iv.error_rate,
      churn_per_s: iv.churn_per_s,
      p95_ms: m.latency.count > 0 ? m.latency.p95 : null,
      pool_utilization: m.pool.utilization,
      acquire_wait_p95_ms: m.pool.acquire_wait_ms.count > 0 ? m.pool.acquire_wait_ms.p95 : null,
      pool_max: m.pool.max,
      pool_min: m.pool.min,
      active: m.pool.active,
      total: m.pool.total,
      waiting: m.pool.waiting,
    };
  });

  const measured = instances.filter((i) => i.measured);
  const withInterval = measured.filter((i) => i.rate_why === undefined || i.rate_why === 'no_traffic');
  const requests = withInterval.reduce((s, i) => s + (i.requests ?? 0), 0);
  const errors = withInterval.reduce((s, i) => s + (i.errors ?? 0), 0);
  const fleetWhy: Why | undefined =
    requests > 0
      ? undefined
      : withInterval.length > 0
        ? 'no_traffic'
        : measured.length === 0
          ? 'unmeasured'
          : (measured[0]!.rate_why ?? 'first');
  const p95s = measured.filter((i) => i.p95_ms != null);
  let p95: number | null = max(p95s.map((i) => i.p95_ms!));
  if (fleetP95 === 'traffic_weighted') {
    const weight = p95s.reduce((s, i) => s + (i.requests ?? 0), 0);
    if (weight > 0) p95 = p95s.reduce((s, i) => s + i.p95_ms! * (i.requests ?? 0), 0) / weight;
  }
  const churns = withInterval.filter((i) => i.churn_per_s != null).map((i) => i.churn_per_s!);

  const db: MonitorSample['db'] = { measured: true };
  let nextDb = state.db;
  if (obs.db.configured) {
    if (obs.db.error !== undefined || obs.db.sessions === undefined) {
      Object.assign(db, {
        measured: false,
        error: obs.db.error ?? 'no answer',
        backends: null,
        sessions: null,
        new_backends_per_s: null,
        new_backends_why: 'unmeasured',
      });
    } else {
      const prev = state.db;
      const dt = prev ? (obs.at_ms - prev.at_ms) / 1000 : 0;
      const why: Why | undefined = !prev ? 'first' : obs.db.sessions < prev.sessions || !(dt > 0) ? 'reset' : undefined;
      Object.assign(db, {
        backends: obs.db.backends ?? null,
        sessions: obs.db.sessions,
        new_backends_per_s: why ? null : (obs.db.sessions - prev!.sessions) / dt,
        ...(why ? { new_backends_why: why } : {}),
      });
      nextDb = { sessions: obs.db.sessions, at_ms: obs.at_ms };
    }
  } else {
    Object.assign(db, { new_backends_per_s: null, new_backends_why: 'not_configured' });
  }
  if (obs.cpu.configured) {
    if (obs.cpu.error !== undefined)
      Object.assign(db, {
        measured: false,
        error: [db.error, obs.cpu.error].filter(Boolean).join('; '),
        cpu_pct: null,
        cpu_why: 'unmeasured',
      });
    else
      Object.assign(db, {
        cpu_pct: obs.cpu.pct ?? null,
        ...(obs.cpu.pct == null ? { cpu_why: obs.cpu.why ?? 'first' } : {}),
      });
  } else {
    Object.assign(db, { cpu_pct: null, cpu_why: 'not_configured' });
  }

  const unmeasured = [
    ...instances.filter((i) => !i.measured).map((i) => i.name),
    ...(obs.db.configured && (obs.db.error !== undefined || obs.db.sessions === undefined) ? ['db'] : []),
    ...(obs.cpu.configured && obs.cpu.error !== undefined ? ['db_cpu'] : []),
    ...(obs.p0.error !== undefined ? ['p0_url'] : []),
  ];

  const sample: MonitorSample = {
    seq: state.seq,
    at: new Date(obs.at_ms).toISOString(),
    elapsed_s: Math.max(0, (obs.at_ms - state.started_ms) / 1000),
    instances,
    fleet: {
      requests,
      errors,
      acquire_timeouts: withInterval.reduce((s, i) => s + (i.acquire_timeouts ?? 0), 0),
      error_rate: requests > 0 ? errors / requests : null,
      ...(fleetWhy ? { error_rate_why: fleetWhy } : {}),
      p95_ms: p95,
      pool_utilization: max(measured.filter((i) => i.pool_utilization != null).map((i) => i.pool_utilization!)),
      acquire_wait_p95_ms: max(
        measured.filter((i) => i.acquire_wait_p95_ms != null).map((i) => i.acquire_wait_p95_ms!),
      ),
      churn_per_s: churns.length ? churns.reduce((a, b) => a + b, 0) : null,
      active: measured.length ? measured.reduce((s, i) => s + (i.active ?? 0), 0) : null,
    },
    db,
    p0: {
      signalled: obs.p0.signalled,
      ...(obs.p0.source ? { source: obs.p0.source } : {}),
      ...(obs.p0.error ? { error: obs.p0.error } : {}),
    },
    unmeasured,
  };
  return {
    sample,
    state: {
      started_ms: state.started_ms,
      seq: state.seq + 1,
      instances: nextInstances,
      ...(nextDb ? { db: nextDb } : {}),
    },
  };
}
