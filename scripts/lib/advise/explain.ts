import type { Advice } from '../../types/advice';

type Unexplained = Omit<Advice, 'explanation' | 'severity' | 'findings' | 'generated_at'>;

const num = (n: number, digits = 2): string => (Number.isInteger(n) ? String(n) : n.toFixed(digits));
const plural = (n: number, word: string): string => `${num(n)} ${word}${n === 1 ? '' : 's'}`;

/** The arithmetic in plain sentences with the numbers, in the order it was done. */
export function explain(a: Unexplained): string[] {
  const out: string[] = [];
  for (const i of a.instances) {
    if (i.status !== 'measured') {
      out.push(`${i.name}: ${i.reason ?? i.status}; not used for sizing.`);
      continue;
    }
    out.push(
      `${i.name}: ${i.acquires + i.acquire_timeouts} acquisitions in ${num(i.window_s, 1)} s = ${num(i.arrival_rate_per_s, 1)}/s (lambda); ` +
        `each connection was held ${num(i.mean_hold_ms ?? 0)} ms on average (W); so lambda x W = ${num(i.busy_avg)} connections busy on average; ` +
        `the most active seen in a sample was ${i.peak_active}, acquire wait p95 ${num(i.acquire_wait_p95_ms, 1)} ms.`,
    );
  }
  const f = a.fleet;
  const r = a.recommended;
  const p = a.parameters;
  if (r.basis === 'fallback') {
    out.push(
      `No instance had traffic in the window, so nothing can be sized from data: the current max ${r.max} and min ${r.min} stay.`,
    );
  } else {
    out.push(
      `Together ${num(f.arrival_rate_per_s, 1)} acquisitions/s held ${num(f.mean_hold_ms ?? 0)} ms each keep ${num(f.busy_avg_sum)} connections busy; ` +
        `spread over the ${plural(f.serving, 'instance')} serving at once (or the busiest instance's own, if higher) that is ${num(f.busy_avg_per_instance)} per instance; ` +
        `across the fleet ${f.busy_p95_fleet} are busy at the ${Math.round(p.quantile * 100)}th-percentile moment.`,
    );
    out.push(
      `At the ${Math.round(p.quantile * 100)}th-percentile moment an instance has ${f.busy_p95_per_instance} busy ` +
        `(the Poisson ${Math.round(p.quantile * 100)}th percentile of ${num(f.busy_avg_per_instance)}, or the ${f.peak_active_max} active seen, whichever is higher); ` +
        `times the safety factor ${p.safety_factor}, rounded up: ${r.want}.`,
    );
    out.push(
      `The busiest moment seen had ${f.peak_active_max} active; with ${p.headroom} of headroom the max never goes below ${r.floor}.`,
    );
  }
  const d = a.database;
  if (d.concurrency_budget !== null && r.budget_cap !== null) {
    const effect =
      r.basis === 'fallback'
        ? ''
        : r.want > r.budget_cap
          ? r.floor > r.budget_cap
            ? `; it would trim ${r.want}, but the floor ${r.floor} wins`
            : `; it trims ${r.want} to ${Math.max(r.budget_cap, r.floor)}`
          : '; it does not bind';
    out.push(
      `The database has ${plural(d.cores ?? 0, 'core')} (${d.cores_source}) and ${plural(d.spindles, 'effective spindle')}: it runs at most about ` +
        `2 x ${d.cores} + ${num(d.spindles)} = ${d.concurrency_budget} queries at once usefully, ceil(${d.concurrency_budget} / ${f.serving} serving) = ${r.budget_cap} per instance${effect}.`,
    );
  }
  if (d.usable_slots !== null && r.slots_cap !== null) {
    const how =
      d.slots_source === 'probe'
        ? `${d.max_connections} max_connections - ${d.superuser_reserved} superuser-reserved - ${d.reserved} reserved` +
          `${d.role_conn_limit !== null && d.role_conn_limit >= 0 ? `, role limit ${d.role_conn_limit}` : ''}` +
          `${d.database_conn_limit !== null && d.database_conn_limit >= 0 ? `, database limit ${d.database_conn_limit}` : ''}`
        : 'given';
    out.push(
      `Usable connection slots: ${d.usable_slots} (${how}); ${plural(f.instances, 'pool')} plus one overlapping pool during a swap must fit, ` +
        `so at most floor(${d.usable_slots} / ${f.instances + 1}) = ${r.slots_cap} per instance.`,
    );
  }
  if (r.basis === 'measured') {
    out.push(
      `Recommended per instance: max ${r.max}, min ${r.min} (about the average busy ${num(f.busy_avg_per_instance)}, at least 1).`,
    );
  }
  if (a.planned) {
    const pl = a.planned;
    const from = pl.source === 'flag' ? '--planned-max' : 'the plan';
    const ratio = r.basis === 'measured' ? ` is ${num(pl.ratio_to_recommended, 1)}x the recommended ${r.max}` : '';
    const budget = d.concurrency_budget === null ? '' : ` (concurrency budget ${d.concurrency_budget})`;
    const slots =
      d.usable_slots === null
        ? ''
        : `; with one overlapping pool ${pl.sum_over_instances + pl.max} connections against ${d.usable_slots} usable slots`;
    out.push(
      `Planned max ${pl.max} (${from})${ratio}; ${f.instances} x ${pl.max} = ${pl.sum_over_instances} connections could run at once${budget}${slots}.`,
    );
  }
  return out;
}
