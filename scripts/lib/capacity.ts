import type { Step } from '../types/preflight-result';
/**
 * The connection-capacity gate (notes/pg-pool-facts.md), pure arithmetic. It must hold at the WORST step of the
 * rollout, not only at the end. Instances are switched one at a time in rollout order (standbys first, then
 * primaries). While instance i is being switched:
 *
 *   demand(i) = Σ new max (instances already switched) + Σ old max (not yet switched)
 *             + the switching instance: old + new with overlap "one_instance" (a SIGHUP swap drains the old pool
 *               while the new one opens), max(old, new) with overlap "none" (a restart closes the old pool before
 *               the new one opens)
 *             + other clients' peak + headroom
 *
 * and demand(i) <= usable = max_connections − superuser_reserved_connections − reserved_connections.
 * The steps reported are "before" (all old), one per switching instance, and "after" (all new).
 * Role (rolconnlimit) and database (datconnlimit) limits are checked against the app's own worst demand.
 */
export type Overlap = 'one_instance' | 'none';

export interface CapacityInstance {
  name: string;
  old_max: number;
  new_max: number;
}

export interface CapacityInput {
  /** In rollout order. */
  instances: CapacityInstance[];
  max_connections: number;
  superuser_reserved_connections: number;
  /** PostgreSQL 16+; 0 on 15. */
  reserved_connections: number;
  other_clients_peak: number;
  headroom: number;
  overlap: Overlap;
  /** The app role's rolconnlimit; -1 or null = no limit. */
  role_conn_limit?: number | null;
  /** The database's datconnlimit; -1 or null = no limit. */
  db_conn_limit?: number | null;
  /** Other clients connected to the same database now (they count against datconnlimit). */
  other_clients_in_db?: number;
}

export type CapacityStep = Step;

export interface CapacityResult {
  usable: number;
  steps: CapacityStep[];
  worst: CapacityStep;
  /** demand − usable at the worst step, 0 when it fits. */
  shortfall: number;
  fits: boolean;
  role_limit: { limit: number; worst_app: number; fits: boolean } | null;
  db_limit: { limit: number; worst: number; fits: boolean } | null;
  /** What to do, when something does not fit. */
  advice: string | null;
}

export function usableSlots(
  i: Pick<CapacityInput, 'max_connections' | 'superuser_reserved_connections' | 'reserved_connections'>,
): number {
  return i.max_connections - i.superuser_reserved_connections - i.reserved_connections;
}

/** The app's own connections at each step (no other clients, no headroom). */
export function appSteps(instances: CapacityInstance[], overlap: Overlap): { step: string; app: number }[] {
  const sumOld = instances.reduce((s, x) => s + x.old_max, 0);
  const steps = [{ step: 'before (all old)', app: sumOld }];
  let switched = 0; // Σ new of instances already switched
  let pending = sumOld; // Σ old of instances not yet switched, the switching one included
  for (const inst of instances) {
    pending -= inst.old_max;
    const switching = overlap === 'one_instance' ? inst.old_max + inst.new_max : Math.max(inst.old_max, inst.new_max);
    steps.push({ step: `switching ${inst.name}`, app: switched + switching + pending });
    switched += inst.new_max;
  }
  steps.push({ step: 'after (all new)', app: switched });
  return steps;
}

function judge(input: CapacityInput): Omit<CapacityResult, 'advice'> {
  const usable = usableSlots(input);
  const extra = input.other_clients_peak + input.headroom;
  const steps = appSteps(input.instances, input.overlap).map((s) => ({
    ...s,
    demand: s.app + extra,
    fits: s.app + extra <= usable,
  }));
  // The first step with the highest demand is the worst (ties keep the earliest: it is reached first).
  const worst = steps.reduce((w, s) => (s.demand > w.demand ? s : w));
  const worstApp = Math.max(...steps.map((s) => s.app));
  const roleLimit = input.role_conn_limit != null && input.role_conn_limit >= 0 ? input.role_conn_limit : null;
  const dbLimit = input.db_conn_limit != null && input.db_conn_limit >= 0 ? input.db_conn_limit : null;
  const dbWorst = worstApp + (input.other_clients_in_db ?? 0);
  return {
    usable,
    steps,
    worst,
    shortfall: Math.max(0, worst.demand - usable),
    fits: worst.demand <= usable,
    role_limit: roleLimit === null ? null : { limit: roleLimit, worst_app: worstApp, fits: worstApp <= roleLimit },
    db_limit: dbLimit === null ? null : { limit: dbLimit, worst: dbWorst, fits: dbWorst <= dbLimit },
  };
}

/** The largest uniform new max (capping every instance's new max) for which every check fits, or 0 if none. */
export function largestFittingMax(input: CapacityInput): number {
  const ceiling = Math.max(...input.instances.map((x) => x.new_max));
  const fitsWith = (m: number): boolean => {
    const r = judge({ ...input, instances: input.instances.map((x) => ({ ...x, new_max: Math.min(x.new_max, m) })) });
    return r.fits && (r.role_limit?.fits ?? true) && (r.db_limit?.fits ?? true);
  };
  // Demand grows monotonically with m, so binary search.
  let lo = 0;
  let hi = ceiling;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fitsWith(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function checkCapacity(input: CapacityInput): CapacityResult {
  if (input.instances.length === 0) throw new Error('capacity check needs at least one instance');
  const r = judge(input);
  const problems: string[] = [];
  if (!r.fits) problems.push(`raise max_connections by ${r.shortfall} (to ${input.max_connections + r.shortfall})`);
  if (r.role_limit && !r.role_limit.fits)
    problems.push(
      `raise the app role's CONNECTION LIMIT by ${r.role_limit.worst_app - r.role_limit.limit} (to ${r.role_limit.worst_app})`,
    );
  if (r.db_limit && !r.db_limit.fits)
    problems.push(
      `raise the database's CONNECTION LIMIT by ${r.db_limit.worst - r.db_limit.limit} (to ${r.db_limit.worst})`,
    );
  let advice: string | null = null;
  if (problems.length > 0) {
    const m = largestFittingMax(input);
    const lower =
      m >= 1
        ? `lower the new max to ${m}`
        : 'no new max fits (even the current pools do not), so the limits must be raised';
    advice = `${problems.join(', ')} or ${lower}`;
  }
  return { ...r, advice };
}

/**
 * A ramped change (pool-change `steps`, e.g. 50 → 100 → 200) rolls the fleet once per level, so each pass
 * starts from the previous level: the last pass (100 → 200, overlap 100 + 200) is worse than 50 → 200.
 * Every pass is judged; the steps are reported with their pass, and the worst pass decides.
 */
export function checkCapacityRamp(input: CapacityInput, levels: number[]): CapacityResult {
  if (levels.length === 0) return checkCapacity(input);
  const targets = [...levels, Math.max(...input.instances.map((i) => i.new_max))];
  const passes = targets.map((level, k) =>
    input.instances.map((inst) => ({
      name: inst.name,
      old_max: k === 0 ? inst.old_max : targets[k - 1]!,
      new_max: k === targets.length - 1 ? inst.new_max : level,
    })),
  );
  const results = passes.map((instances) => checkCapacity({ ...input, instances }));
  const label = (k: number, step: CapacityStep): CapacityStep => ({
    ...step,
    step: `pass ${k + 1}/${passes.length} (max ${passes[k]![0]!.old_max}→${passes[k]![0]!.new_max}): ${step.step}`,
  });
  const worstPass = results.reduce((w, r, k) => (r.worst.demand > results[w]!.worst.demand ? k : w), 0);
  const worst = results[worstPass]!;
  const anyFail = results.findIndex((r) => r.advice !== null);
  return {
    ...worst,
    steps: results.flatMap((r, k) => r.steps.map((s) => label(k, s))),
    worst: label(worstPass, worst.worst),
    advice: anyFail < 0 ? null : (results[worstPass]!.advice ?? results[anyFail]!.advice),
  };
}
