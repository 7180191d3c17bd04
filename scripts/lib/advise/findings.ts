import type { Advice } from '../../types/advice';
import type { FleetMeasure } from './fleet';
import type { AdviceParameters, DbFacts, Finding } from './parameters';
import type { InstanceMeasure } from './rates';
import type { Recommendation } from './recommend';

export type Planned = NonNullable<Advice['planned']>;

/** Fewer acquisitions than this in the whole window make the rates rough (a note, not a warning). */
const FEW_ACQUIRES = 100;

const fmt = (n: number, digits = 1): string => (Number.isInteger(n) ? String(n) : n.toFixed(digits));

/** What the measurement itself says: instances skipped, no traffic, a pool that made requests wait. */
export function measurementFindings(
  instances: InstanceMeasure[],
  fleet: FleetMeasure,
  params: AdviceParameters,
): Finding[] {
  const out: Finding[] = [];
  const measured = instances.filter((i) => i.status === 'measured');
  for (const i of instances) {
    if (i.status === 'reset') {
      out.push({
        severity: 'warning',
        code: 'COUNTER_RESET',
        message: `${i.name}: ${i.reason ?? 'counters reset'}; skipped, sized from the other instances`,
      });
    } else if (i.status === 'idle' && i.acquire_timeouts > 0) {
      out.push({
        severity: 'warning',
        code: 'ACQUIRE_STUCK',
        message: `${i.name}: ${i.reason ?? 'no acquisition succeeded'}`,
      });
    } else if (i.status === 'idle' && measured.length > 0) {
      out.push({
        severity: 'ok',
        code: 'IDLE_INSTANCE',
        message: `${i.name}: no traffic in the window (a backup serves only after a switch); sized from the serving instances`,
      });
    }
  }
  if (measured.length === 0) {
    out.push({
      severity: 'warning',
      code: 'NO_TRAFFIC',
      message:
        'no traffic in the window: cannot size from data; the current pool values are kept — measure again under normal load',
    });
    return out;
  }
  const acquires = measured.reduce((s, i) => s + i.acquires, 0);
  if (acquires < FEW_ACQUIRES) {
    out.push({
      severity: 'ok',
      code: 'FEW_SAMPLES',
      message: `only ${acquires} acquisitions in the window: the rates are rough; a longer --window under normal load is better`,
    });
  }
  const timeouts = instances.reduce((s, i) => s + i.acquire_timeouts, 0);
  const peakWaiting = Math.max(0, ...instances.map((i) => i.peak_waiting));
  if (timeouts > 0 || peakWaiting > 0 || fleet.acquire_wait_p95_ms_max > params.wait_threshold_ms) {
    out.push({
      severity: timeouts > 0 ? 'warning' : 'ok',
      code: 'POOL_WAITED',
      message: `the pool made requests wait (acquire wait p95 up to ${fmt(fleet.acquire_wait_p95_ms_max)} ms, up to ${peakWaiting} waiting, ${timeouts} acquire timeouts): at peaks the current max is the limit`,
    });
  }
  return out;
}

/** What the recommendation runs into: the database's cores and its slots. */
export function capacityFindings(fleet: FleetMeasure, db: DbFacts, rec: Recommendation): Finding[] {
  const out: Finding[] = [];
  if (db.concurrency_budget === null) {
    out.push({
      severity: 'ok',
      code: 'BUDGET_UNKNOWN',
      message:
        'database cores unknown (give --db-cores, or --db-local when PostgreSQL runs on this host): the concurrency budget was not applied',
    });
  } else if (rec.basis === 'measured' && fleet.busy_p95_fleet > db.concurrency_budget) {
    out.push({
      severity: 'warning',
      code: 'DEMAND_ABOVE_BUDGET',
      message: `at the p95 moment the fleet keeps ${fleet.busy_p95_fleet} connections busy, above the database's concurrency budget of ${db.concurrency_budget} (2 x ${db.cores} cores + ${db.spindles} effective spindles): the database, not the pool, limits throughput — shorten the transactions or add database capacity`,
    });
  }
  if (db.usable_slots === null) {
    out.push({
      severity: 'ok',
      code: 'SLOTS_UNKNOWN',
      message:
        'usable connection slots unknown (give --db-usable-slots or a plan with a database section): the slots bound was not applied',
    });
  } else if (rec.slots_cap !== null && rec.basis === 'measured' && rec.slots_cap < rec.floor) {
    out.push({
      severity: 'critical',
      code: 'SLOTS_BELOW_PEAK',
      message: `${fleet.instances + 1} pools of ${rec.floor} (the busiest peak seen + headroom) need ${(fleet.instances + 1) * rec.floor} connections but the database has ${db.usable_slots} usable slots`,
    });
  }
  return out;
}

/** The planned max against the need, the concurrency budget and the slots. */
export function plannedFindings(
  planned: Planned | null,
  fleet: FleetMeasure,
  db: DbFacts,
  rec: Recommendation,
  params: AdviceParameters,
): Finding[] {
  if (!planned) return [];
  const out: Finding[] = [];
  if (rec.basis === 'measured' && planned.max > params.far_above_ratio * rec.max) {
    out.push({
      severity: 'warning',
      code: 'PLANNED_FAR_ABOVE_NEED',
      message: `the planned max ${planned.max} is ${fmt(planned.ratio_to_recommended)}x the recommended ${rec.max} (more than ${params.far_above_ratio}x): connections beyond what the workload keeps busy add memory and contention, not throughput`,
    });
  } else if (rec.basis === 'measured' && planned.max < rec.max) {
    out.push({
      severity: 'warning',
      code: 'PLANNED_BELOW_NEED',
      message: `the planned max ${planned.max} is below the recommended ${rec.max}: requests will queue for a connection at peaks`,
    });
  }
  if (db.concurrency_budget !== null && planned.sum_over_instances > db.concurrency_budget) {
    out.push({
      severity: 'warning',
      code: 'PLANNED_ABOVE_BUDGET',
      message: `${fleet.instances} instances x planned max ${planned.max} = ${planned.sum_over_instances} connections could run at once, ${fmt(planned.sum_over_instances / db.concurrency_budget)}x the database's concurrency budget of ${db.concurrency_budget}`,
    });
  }
  if (db.usable_slots !== null && planned.sum_over_instances + planned.max > db.usable_slots) {
    out.push({
      severity: 'critical',
      code: 'PLANNED_ABOVE_SLOTS',
      message: `${fleet.instances} pools of ${planned.max} plus one overlapping pool during a swap need ${planned.sum_over_instances + planned.max} connections, more than the ${db.usable_slots} usable slots: new connections would fail with "too many clients"`,
    });
  }
  return out;
}
