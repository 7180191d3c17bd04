import type { Section } from './plan';

/**
 * What bench/results.json holds after a run that skipped some sections (--no-lab, --no-rollout,
 * --skip-loadgen): the sections run now, and the last figures of the others from the previous file, each lab
 * section carrying its own measured_at. Pure.
 */
export interface Check {
  name: string;
  value: string;
  target: string;
  pass: boolean;
}

export type Results = Record<string, unknown> & { checks: Check[] };

/** The results.json keys each section writes (checks aside). */
const KEYS: Record<Section, readonly string[]> = {
  loadgen: ['throughput', 'templated', 'fixed_rate', 'smoothness', 'stall', 'memory', 'startup_ms'],
  lab_throughput: ['lab_throughput'],
  probe: ['probe'],
  rollout: ['rollout'],
  fleet_up: ['fleet_up'],
  fleet_rollout: ['fleet_rollout'],
  agent: ['agent'],
};

/**
 * The section a check belongs to, by its name (the lab sections name theirs "probe: ...", "rollout ...",
 * "rollback: ...", the fleet's "fleet:up ..." and "fleet rollout ...").
 */
export function sectionOf(c: Check): Section {
  if (c.name.startsWith('fleet:up')) return 'fleet_up';
  if (c.name.startsWith('fleet rollout')) return 'fleet_rollout';
  if (c.name.startsWith('probe')) return 'probe';
  if (c.name.startsWith('agent')) return 'agent';
  if (c.name.startsWith('rollout') || c.name.startsWith('rollback')) return 'rollout';
  return 'loadgen';
}

export function mergeResults(
  previous: Partial<Results> | null,
  fresh: Results,
  ran: Record<Section, boolean>,
): { merged: Results; kept: Section[] } {
  const merged: Results = { ...fresh, checks: [...fresh.checks] };
  const kept: Section[] = [];
  for (const section of Object.keys(KEYS) as Section[]) {
    if (ran[section] || !previous) continue;
    const keys = KEYS[section].filter((k) => k in previous && !(k in fresh));
    if (keys.length === 0) continue;
    for (const k of keys) merged[k] = previous[k];
    merged.checks.push(...(previous.checks ?? []).filter((c) => sectionOf(c) === section));
    kept.push(section);
  }
  return { merged, kept };
}
