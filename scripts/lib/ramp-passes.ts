import type { PoolChange } from '../types/pool-change';
import type { PoolConfig } from '../types/pool-config';

/**
 * A ramped change (pool-change `steps`, e.g. max 50 → 100 → 200) is made as one full rollout per pass, each
 * from the level the previous pass reached: preflight (with its capacity gate) for that pass, backups of the
 * level the fleet runs, the change, and every verification gate. A failed pass rolls back to the level it
 * started from — the last good step.
 *
 * The steps name only the pool max. The other settings of an intermediate level:
 *   - min is proportional: it moves from `from.min` to `to.min` in the same proportion as max moves from
 *     `from.max` to `to.max` (50 → 100 → 200 with min 10 → 20: level 100 runs min 13), rounded;
 *   - the timeouts are `to`'s from the first pass on: a ramp spreads the size change, and the timeouts are then
 *     proven by every pass rather than only by the last one.
 */
export interface RampPass {
  pass: number;
  of: number;
  from: PoolConfig;
  to: PoolConfig;
}

export function levelConfig(change: PoolChange, max: number): PoolConfig {
  if (max === change.to.max) return { ...change.to };
  const span = change.to.max - change.from.max;
  const share = span === 0 ? 1 : (max - change.from.max) / span;
  const min = Math.round(change.from.min + (change.to.min - change.from.min) * share);
  return { ...change.to, min, max };
}

/** One pass per step and one to the target; a change without steps is one pass. */
export function rampPasses(change: PoolChange): RampPass[] {
  const levels = [change.from, ...(change.steps ?? []).map((m) => levelConfig(change, m)), change.to];
  return levels.slice(1).map((to, k) => ({ pass: k + 1, of: levels.length - 1, from: levels[k]!, to }));
}

/** The pool max at each level, the current one first: [50, 100, 200]. */
export function rampLevels(change: PoolChange): number[] {
  return [change.from.max, ...(change.steps ?? []), change.to.max];
}
