import path from 'node:path';
import { InputError } from '../lib/errors';

/**
 * What one `npm run bench` runs, resolved from its flags and environment (pure, unit-tested). By default
 * everything issue 7 asks for runs, on a lab the bench brings up itself on a dedicated slot; flags only opt out.
 */

/** The slot the bench's own lab uses unless POOLGATE_LAB_SLOT or --lab-slot says otherwise. */
export const DEFAULT_BENCH_SLOT = 9;
/** The fleet slot the bench's fleet:up figures use unless POOLGATE_FLEET_SLOT or --fleet-slot says otherwise. */
export const DEFAULT_BENCH_FLEET_SLOT = 9;

/** The flags as yargs parsed them: undefined means "not given", so --quick can change the defaults only. */
export interface BenchFlags {
  rounds?: number;
  seconds?: number;
  connections?: number;
  rate?: number;
  stallMs?: number;
  rssSeconds?: number;
  long?: boolean;
  startupRuns?: number;
  lab?: boolean;
  labSlot?: number;
  probe?: boolean;
  probeSamples?: number;
  rollout?: boolean;
  skipLoadgen?: boolean;
  fleetUp?: boolean;
  fleetRollout?: boolean;
  fleetSlot?: number;
  /** only these sections (their command-line names), whatever the other section flags say */
  only?: string[];
  agent?: boolean;
  agentSeconds?: number;
  quick?: boolean;
  out?: string;
}

export type Section = 'loadgen' | 'lab_throughput' | 'probe' | 'rollout' | 'fleet_up' | 'fleet_rollout' | 'agent';

/** Each section's name on the command line (--only). */
export const SECTION_FLAGS: Record<string, Section> = {
  loadgen: 'loadgen',
  'lab-throughput': 'lab_throughput',
  probe: 'probe',
  rollout: 'rollout',
  'fleet-up': 'fleet_up',
  'fleet-rollout': 'fleet_rollout',
  agent: 'agent',
};

export interface BenchPlan {
  slot: number;
  slotFrom: 'flag' | 'env' | 'default';
  /** the fleet slot of the fleet:up figures (a fleet of the bench's own, in a folder of its own) */
  fleetSlot: number;
  /** which sections run this time */
  sections: Record<Section, boolean>;
  /** the lab of `slot` must be up (brought up and later down by the bench if it is not) */
  needsLab: boolean;
  /** POOLGATE_LAB_KEEP=1 (as for the tests): a lab the bench brought up is left running */
  keepLab: boolean;
  rounds: number;
  seconds: number;
  connections: number;
  rate: number;
  stallMs: number;
  rssSeconds: number;
  startupRuns: number;
  probeSamples: number;
  /** the agent's metrics-read run at 1,000 req/s: long enough to fill its 60 s window, and then some */
  agentSeconds: number;
  out: string;
}

const FULL = { rounds: 5, seconds: 10, rssSeconds: 60, startupRuns: 11, probeSamples: 21, agentSeconds: 75 };
// A smoke run: every section once, briefly; the rollout (minutes of Ansible) only if asked for.
const QUICK = { rounds: 1, seconds: 2, rssSeconds: 5, startupRuns: 3, probeSamples: 5, agentSeconds: 5 };

export function resolvePlan(flags: BenchFlags, env: NodeJS.ProcessEnv, root: string): BenchPlan {
  const d = flags.quick ? QUICK : FULL;
  const { slot, slotFrom } = resolveSlot(flags.labSlot, env.POOLGATE_LAB_SLOT, DEFAULT_BENCH_SLOT, 'lab');
  const lab = flags.lab ?? true;
  if (!lab) {
    const asked = (['probe', 'rollout'] as const).filter((s) => flags[s] === true);
    if (asked.length)
      throw new InputError(`--${asked.join(' and --')} need${asked.length > 1 ? '' : 's'} the lab: drop --no-lab`);
  }
  const loadgen = !flags.skipLoadgen;
  const sections: Record<Section, boolean> = flags.only
    ? onlySections(flags.only)
    : {
        loadgen,
        lab_throughput: loadgen && lab,
        probe: lab && (flags.probe ?? true),
        rollout: lab && (flags.rollout ?? !flags.quick),
        // Part of a full run; not of the smoke run, nor of the runs narrowed to the minimal server or the lab.
        fleet_up: flags.fleetUp ?? (!flags.quick && lab && loadgen),
        // The fleet's rollouts, judged against the lab's (this run's, else the last ones kept in the results).
        fleet_rollout: flags.fleetRollout ?? (lab && (flags.rollout ?? !flags.quick)),
        agent: flags.agent ?? loadgen,
      };
  if (!Object.values(sections).some(Boolean))
    throw new InputError('nothing to run: --skip-loadgen leaves only the lab sections, and they are all turned off');
  const plan: BenchPlan = {
    slot,
    slotFrom,
    fleetSlot: resolveSlot(flags.fleetSlot, env.POOLGATE_FLEET_SLOT, DEFAULT_BENCH_FLEET_SLOT, 'fleet').slot,
    sections,
    needsLab: sections.lab_throughput || sections.probe || sections.rollout,
    keepLab: env.POOLGATE_LAB_KEEP === '1',
    rounds: flags.rounds ?? d.rounds,
    seconds: flags.seconds ?? d.seconds,
    connections: flags.connections ?? 50,
    rate: flags.rate ?? 2000,
    stallMs: flags.stallMs ?? 1000,
    rssSeconds: flags.long ? 600 : (flags.rssSeconds ?? d.rssSeconds),
    startupRuns: flags.startupRuns ?? d.startupRuns,
    probeSamples: flags.probeSamples ?? d.probeSamples,
    agentSeconds: flags.agentSeconds ?? d.agentSeconds,
    // A smoke run never overwrites the published figures (bench/quick/ is ignored by git like results.json).
    out: flags.out ?? path.join(root, 'bench', flags.quick ? 'quick' : '', 'results.json'),
  };
  for (const key of [
    'rounds',
    'seconds',
    'connections',
    'rate',
    'rssSeconds',
    'startupRuns',
    'probeSamples',
    'agentSeconds',
  ] as const) {
    if (!Number.isInteger(plan[key]) || plan[key] < 1)
      throw new InputError(`--${kebab(key)} must be a whole number of at least 1, got ${plan[key]}`);
  }
  if (!Number.isInteger(plan.stallMs) || plan.stallMs < 0)
    throw new InputError(`--stall-ms must be a whole number of at least 0, got ${plan.stallMs}`);
  return plan;
}

function onlySections(names: string[]): Record<Section, boolean> {
  const unknown = names.filter((n) => !(n in SECTION_FLAGS));
  if (unknown.length)
    throw new InputError(`--only: no section ${unknown.join(', ')} (sections: ${Object.keys(SECTION_FLAGS).join(', ')})`);
  const chosen = new Set(names.map((n) => SECTION_FLAGS[n]!));
  return Object.fromEntries(Object.values(SECTION_FLAGS).map((s) => [s, chosen.has(s)])) as Record<Section, boolean>;
}

/** A slot from its flag, else its environment variable, else the bench's default; lab and fleet alike. */
function resolveSlot(
  flag: number | undefined,
  env: string | undefined,
  fallback: number,
  kind: 'lab' | 'fleet',
): { slot: number; slotFrom: BenchPlan['slotFrom'] } {
  const [raw, slotFrom] =
    flag !== undefined
      ? [String(flag), 'flag' as const]
      : env !== undefined && env !== ''
        ? [env, 'env' as const]
        : [String(fallback), 'default' as const];
  const slot = Number(raw);
  // The range lab/lab-config.ts and lab/fleet/fleet-config.ts accept (127.0.<slot>.0/24, 127.1.<slot>.0/24).
  if (!/^\d+$/.test(raw) || slot > 250)
    throw new InputError(
      `${kind} slot must be a whole number 0..250, got "${raw}" (${slotFrom === 'flag' ? `--${kind}-slot` : `POOLGATE_${kind.toUpperCase()}_SLOT`})`,
    );
  return { slot, slotFrom };
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The line printed when the figures are measured on a machine already busier than its cores. */
export function busyWarning(loadavg1: number, cpus: number): string | null {
  if (loadavg1 <= cpus) return null;
  return `WARNING: load average ${loadavg1.toFixed(2)} at start exceeds the ${cpus} cores: figures inflated: the machine is busy`;
}

/** What to do with the lab of the slot, from its status before the run. */
export type LabAction = 'use' | 'start' | 'complete';

/**
 * healthy: use it as it is; nothing of it running: start it (and stop it at the end); partly running (someone
 * else's, or being brought up): complete it with lab-up but leave it running, since the bench did not start it.
 */
export function labAction(status: { healthy: boolean; components: Array<{ pid?: number }> }): LabAction {
  if (status.healthy) return 'use';
  return status.components.some((c) => c.pid !== undefined) ? 'complete' : 'start';
}
