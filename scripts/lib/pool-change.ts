import type { PoolChange } from '../types/pool-change';
import type { PoolConfig } from '../types/pool-config';

/**
 * Semantic rules a pool change must follow beyond its schema (which already makes every value a bounded
 * integer). Pure. Decisions, so they are explicit:
 * - `min <= max` in both configs.
 * - `acquireTimeoutMillis >= connectionTimeoutMillis`: acquiring may have to open a connection, so an acquire
 *   timeout shorter than the handshake timeout cuts handshakes off early and makes connectionTimeoutMillis
 *   meaningless (an error).
 * - `idleTimeoutMillis` below 1 s closes idle connections so fast that a bursty load reconnects constantly
 *   (thrashing): a warning.
 * - Timeouts that change between `from` and `to`: the runbook keeps them UNCHANGED, so a warning.
 * - `steps` (intermediate pool max values) move strictly from `from.max` towards `to.max`, each strictly
 *   between them and not below `to.min` (otherwise that step's pool would be invalid).
 */
export interface PoolChangeProblem {
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

const TIMEOUTS = ['idleTimeoutMillis', 'connectionTimeoutMillis', 'acquireTimeoutMillis'] as const;

export function checkPoolConfig(cfg: PoolConfig, label: string): PoolChangeProblem[] {
  const out: PoolChangeProblem[] = [];
  for (const key of ['min', 'max', ...TIMEOUTS] as const) {
    if (!Number.isInteger(cfg[key]))
      out.push({ rule: 'integer', severity: 'error', message: `${label}.${key} must be an integer, got ${cfg[key]}` });
  }
  if (cfg.min > cfg.max)
    out.push({
      rule: 'min<=max',
      severity: 'error',
      message: `${label}.min ${cfg.min} is greater than ${label}.max ${cfg.max}`,
    });
  if (cfg.acquireTimeoutMillis < cfg.connectionTimeoutMillis) {
    out.push({
      rule: 'acquire>=connection timeout',
      severity: 'error',
      message: `${label}.acquireTimeoutMillis ${cfg.acquireTimeoutMillis} is shorter than ${label}.connectionTimeoutMillis ${cfg.connectionTimeoutMillis}: a slow handshake would be cut off by the acquire timeout`,
    });
  }
  if (cfg.idleTimeoutMillis < 1000) {
    out.push({
      rule: 'idle timeout >= 1s',
      severity: 'warning',
      message: `${label}.idleTimeoutMillis ${cfg.idleTimeoutMillis} ms closes idle connections so quickly that bursts reconnect constantly (thrashing)`,
    });
  }
  return out;
}

export function checkPoolChange(change: PoolChange): PoolChangeProblem[] {
  const out = [...checkPoolConfig(change.from, 'from'), ...checkPoolConfig(change.to, 'to')];
  for (const key of TIMEOUTS) {
    if (change.from[key] !== change.to[key]) {
      out.push({
        rule: 'timeouts unchanged',
        severity: 'warning',
        message: `${key} changes ${change.from[key]} → ${change.to[key]}; the runbook keeps timeouts unchanged`,
      });
    }
  }
  const steps = change.steps ?? [];
  const up = change.to.max >= change.from.max;
  let prev = change.from.max;
  steps.forEach((step, i) => {
    const label = `steps[${i}] = ${step}`;
    if (!Number.isInteger(step))
      out.push({ rule: 'integer', severity: 'error', message: `${label} must be an integer` });
    const forward = up ? step > prev : step < prev;
    if (!forward)
      out.push({
        rule: 'steps monotonic',
        severity: 'error',
        message: `${label} does not move from ${prev} towards ${change.to.max}`,
      });
    const between = up ? step < change.to.max : step > change.to.max;
    if (!between)
      out.push({
        rule: 'steps before target',
        severity: 'error',
        message: `${label} is not strictly between from.max ${change.from.max} and to.max ${change.to.max} (the last step is always to.max)`,
      });
    if (step < change.to.min)
      out.push({ rule: 'step >= min', severity: 'error', message: `${label} is below to.min ${change.to.min}` });
    prev = step;
  });
  return out;
}
