import type { Advice } from '../../types/advice';
import type { FleetMeasure } from './fleet';
import type { AdviceParameters, DbFacts } from './parameters';
import type { InstanceMeasure } from './rates';

export type Recommendation = Advice['recommended'];

/** 2 x cores + effective spindles for the whole server (HikariCP "About Pool Sizing"), or null without cores. */
export function concurrencyBudget(cores: number | null, spindles: number): number | null {
  return cores === null ? null : Math.round(2 * cores + spindles);
}

/**
 * Every pool may fill to its max at once, and while one instance swaps pools its old pool drains next to the
 * new one (pg-pool-facts: "old + new connections at once"), so the fleet needs (instances + 1) x max slots.
 */
export function slotsCap(usableSlots: number | null, instances: number): number | null {
  return usableSlots === null ? null : Math.floor(usableSlots / (instances + 1));
}

/**
 * The per-instance pool max and min, in this order of precedence:
 * want = ceil(busy at the p95 moment x safety factor);
 * the database's concurrency budget trims want to ceil(budget / serving instances), but never below the
 * floor = busiest `active` seen + headroom (the workload already reached it);
 * the usable slots cap everything (a full server refuses connections outright, SQLSTATE 53300).
 * min is about the average busy count (pg keeps min open once opened), at least 1 and at most max.
 * Without traffic nothing can be sized: the current values stay (basis "fallback").
 */
export function recommend(
  instances: InstanceMeasure[],
  fleet: FleetMeasure,
  db: DbFacts,
  params: AdviceParameters,
): Recommendation {
  const floor = fleet.peak_active_max + params.headroom;
  const budgetCap =
    db.concurrency_budget === null ? null : Math.max(1, Math.ceil(db.concurrency_budget / fleet.serving));
  const cap = slotsCap(db.usable_slots, fleet.instances);
  const measured = instances.some((i) => i.status === 'measured');
  if (!measured) {
    const max = Math.max(1, ...instances.map((i) => i.current_max));
    const min = Math.min(max, Math.max(1, ...instances.map((i) => i.current_min)));
    return { max, min, basis: 'fallback', want: 0, floor, budget_cap: budgetCap, slots_cap: cap };
  }
  const want = Math.ceil(fleet.busy_p95_per_instance * params.safety_factor);
  let max = Math.max(floor, budgetCap === null ? want : Math.min(want, budgetCap), 1);
  if (cap !== null) max = Math.max(1, Math.min(max, cap));
  const min = Math.min(max, Math.max(1, Math.ceil(fleet.busy_avg_per_instance)));
  return { max, min, basis: 'measured', want, floor, budget_cap: budgetCap, slots_cap: cap };
}
