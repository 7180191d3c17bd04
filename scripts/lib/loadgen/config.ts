import { InputError } from '../errors';
import { assertValid } from '../schema';
import { withDefaults } from '../schema-defaults';
import type { Target } from '../targets';
import type { LoadtestConfig } from '../../types/loadtest-config';
import { parseDurationMs } from '../duration';
import type { Baseline } from './load-level';
import { resolveWeights } from './mix';
import { loadScenario, refuseWrites, type Scenario } from './scenario';

/** A load test with every default resolved and every duration in milliseconds. */
export interface RunConfig {
  url: string;
  mode: 'open' | 'closed';
  /** Requests the schedule calls for (open), or the budget (closed; null = until the duration ends). */
  requests: number | null;
  durationMs: number;
  /** Open loop arrival rate; null for closed loop. */
  ratePerS: number | null;
  concurrency: number;
  timeoutMs: number;
  graceMs: number;
  warmup: boolean;
  scenario: Scenario;
  /** The weight of each scenario request in force (the scenario's, or the mix's). */
  weights: number[];
  allowWrites: boolean;
  /** The pre-change traffic the rate was derived from (and is judged against); null without --baseline. */
  baseline: Baseline | null;
  /** The multiple of the baseline's rate the open loop runs at (at least); null without a baseline. */
  baselineFactor: number | null;
  targets: Target[];
  sampleIntervalMs: number;
}

/** The schema's defaults: the runbook's Step 5 command line (--requests 500 --concurrency 50 --duration 10m) and the rest. */
function defaults(): Required<
  Pick<
    LoadtestConfig,
    | 'requests'
    | 'duration'
    | 'concurrency'
    | 'timeout'
    | 'sample_interval'
    | 'mode'
    | 'warmup'
    | 'allow_writes'
    | 'baseline_factor'
  >
> {
  return withDefaults('loadtest-config', {}) as ReturnType<typeof defaults>;
}

type Volume = Pick<LoadtestConfig, 'requests' | 'duration' | 'rate'>;

/**
 * Layers, lowest first: the runbook's defaults, the plan's `loadtest` section, the command-line flags. The
 * volume (requests / duration / rate) is taken as a whole from the highest layer that sets any of it, so a
 * `--rate 2000 --duration 10s` on the command line is not mixed with the plan's `requests: 500`. The scenario
 * is read from its file (`scenario`) unless one is given already read; a scenario that writes to a target not
 * marked as allowing writes is refused here, before anything is sent.
 */
export function resolveRunConfig(layers: {
  plan?: LoadtestConfig;
  flags: LoadtestConfig;
  lbUrl?: string;
  targets: Target[];
  scenario?: Scenario;
  baseline?: Baseline | null;
}): RunConfig {
  const plan = layers.plan ?? {};
  const merged: LoadtestConfig = { ...plan, ...definedOnly(layers.flags) };
  const volumeOf = (c: LoadtestConfig): Volume =>
    definedOnly({ requests: c.requests, duration: c.duration, rate: c.rate });
  const flagsVolume = volumeOf(layers.flags);
  const volume = Object.keys(flagsVolume).length > 0 ? flagsVolume : volumeOf(plan);
  delete merged.requests;
  delete merged.duration;
  delete merged.rate;
  const cfg = assertValid<LoadtestConfig>('loadtest-config', { ...merged, ...volume }, 'load test configuration');

  const d = defaults();
  const url = cfg.url ?? layers.lbUrl;
  if (!url)
    throw new InputError(
      'no --url: give the entry point (e.g. the load balancer, http://127.0.0.1:8080) or a plan with lb.url',
    );
  const mode = cfg.mode ?? d.mode;
  const timeoutMs = parseDurationMs(cfg.timeout ?? d.timeout, 'timeout');
  const graceMs = cfg.grace !== undefined ? parseDurationMs(cfg.grace, 'grace') : timeoutMs;
  const scenario = layers.scenario ?? scenarioOf(cfg);
  const weights = resolveWeights(scenario.requests, cfg.mix);
  const allowWrites = cfg.allow_writes ?? d.allow_writes;
  if (!allowWrites) refuseWrites(scenario, weights, url);
  const baseline = layers.baseline ?? null;
  const baselineFactor = baseline !== null && mode === 'open' ? (cfg.baseline_factor ?? d.baseline_factor) : null;
  let { requests, durationMs, ratePerS } = resolveVolume(mode, cfg, d);
  // The sustained level: at least the baseline's traffic times the factor, unless a rate was asked for outright.
  if (baselineFactor !== null && cfg.rate === undefined) {
    const level = baseline!.requests_per_s * baselineFactor;
    if (level > ratePerS!) {
      ratePerS = level;
      requests = Math.ceil((level * durationMs) / 1000);
    }
  }
  return {
    url: url.replace(/\/+$/, ''),
    mode,
    requests,
    durationMs,
    ratePerS,
    concurrency: cfg.concurrency ?? d.concurrency,
    timeoutMs,
    graceMs,
    warmup: cfg.warmup ?? d.warmup,
    scenario,
    weights,
    allowWrites,
    baseline,
    baselineFactor,
    targets: layers.targets,
    sampleIntervalMs: parseDurationMs(cfg.sample_interval ?? d.sample_interval, 'sample_interval'),
  };
}

/**
 * Open loop: two of requests, duration and rate fix the third (rate = requests / duration). Alone, requests
 * or duration take the runbook's default for the other; alone, rate runs for the default duration.
 * Closed loop: requests and/or duration bound the run; a rate makes no sense there.
 */
export function resolveVolume(
  mode: 'open' | 'closed',
  v: Volume,
  d: { requests: number; duration: string } = defaults(),
): { requests: number | null; durationMs: number; ratePerS: number | null } {
  const hasRequests = v.requests !== undefined;
  const hasDuration = v.duration !== undefined;
  if (mode === 'closed') {
    if (v.rate !== undefined)
      throw new InputError('--rate applies to the open loop only (closed loop sends back to back)');
    if (!hasRequests && !hasDuration)
      return { requests: d.requests, durationMs: parseDurationMs(d.duration), ratePerS: null };
    return {
      requests: v.requests ?? null,
      durationMs: parseDurationMs(v.duration ?? d.duration, 'duration'),
      ratePerS: null,
    };
  }
  if (v.rate === undefined) {
    const requests = v.requests ?? d.requests;
    const durationMs = parseDurationMs(v.duration ?? d.duration, 'duration');
    return { requests, durationMs, ratePerS: (requests * 1000) / durationMs };
  }
  if (hasRequests && hasDuration) throw new InputError('give two of --requests, --duration and --rate, not all three');
  if (hasRequests) return { requests: v.requests!, durationMs: (v.requests! * 1000) / v.rate, ratePerS: v.rate };
  const durationMs = parseDurationMs(v.duration ?? d.duration, 'duration');
  const requests = Math.max(1, Math.round((v.rate * durationMs) / 1000));
  return { requests, durationMs, ratePerS: v.rate };
}

function scenarioOf(cfg: LoadtestConfig): Scenario {
  if (!cfg.scenario)
    throw new InputError(
      "no scenario: give --scenario <file> (or the plan's loadtest.scenario), the requests to send (schemas/loadtest-scenario.schema.json; the lab's is lab/scenarios/ledger.yml)",
      'E_NO_SCENARIO',
    );
  return loadScenario(cfg.scenario);
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
