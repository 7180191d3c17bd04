import { resolveMonitorConfig } from './judge/monitor-defaults';
import { parseDurationS } from './duration';
import { resolveVolume } from './loadgen/config';
import { withDefaults } from './schema-defaults';
import type { LoadtestConfig } from '../types/loadtest-config';
import type { Plan } from '../types/plan';
import type { PreflightConfig } from '../types/preflight-config';
import type { RollbackConfig } from '../types/rollback-config';
import type { VerifyConfig } from '../types/verify-config';

/**
 * How long each poolgate command of a rollout may run before Ansible stops it: the time the plan configures it to
 * spend watching (a sample window, the load test, the monitor) plus one stated allowance for everything else a
 * command does (start-up, probes with their own timeouts, writing evidence). A bound that ignored the configuration
 * killed production's 60-minute monitor at 15 minutes and rolled a good change back.
 */
export const ALLOWANCE_S = 120;

/** The poolgate commands the playbooks run (poolgate_command), each with its bound. */
export const BOUNDED_COMMANDS = [
  'plan check',
  'preflight',
  'snapshot',
  'verify',
  'loadtest',
  'analyze',
  'monitor',
  'rollback-watch',
  'report',
  'incident',
  'notify',
  'evidence seal',
  'change history',
  'change locate',
  'change revert',
] as const;
export type BoundedCommand = (typeof BOUNDED_COMMANDS)[number];

export interface CommandBound {
  /** seconds the plan configures the command to spend measuring */
  configured_s: number;
  /** seconds before it is stopped: configured_s + ALLOWANCE_S */
  bound_s: number;
  /** where configured_s comes from, for a person reading the plan check */
  basis: string;
}

/** The snapshot command's own window when the plan sets none (its --window-s default). */
const SNAPSHOT_WINDOW_S = 5;

/**
 * Every command's bound from the plan (pure; the runbook's defaults where the plan is silent). An invalid monitor
 * or load-test section throws the same InputError the command itself would, so `plan check` refuses it first.
 */
export function commandBounds(plan: Plan): Record<BoundedCommand, CommandBound> {
  const preflight = withDefaults<PreflightConfig>('preflight-config', plan.preflight ?? {});
  const verify = withDefaults<VerifyConfig>('verify-config', plan.verify ?? {});
  const monitor = resolveMonitorConfig(plan.monitor ?? {});
  const loadtest = withDefaults<LoadtestConfig>('loadtest-config', plan.loadtest ?? {});
  const volume = resolveVolume(loadtest.mode ?? 'open', plan.loadtest ?? {});
  const graceS = parseDurationS(loadtest.grace ?? loadtest.timeout!, 'loadtest.grace');
  const rollback = withDefaults<RollbackConfig>('rollback-config', plan.rollback ?? {});
  const watchS = rollback.watch!.duration_s!;
  // every source but a file and pg_stat_archiver runs a listing command, bounded by timeout_s
  const backupS = ['file', 'pg_stat_archiver'].includes(preflight.backup!.source!) ? 0 : preflight.backup!.timeout_s!;
  const preflightS = Math.max(preflight.window_s!, backupS);

  const bound = (configured: number, basis: string): CommandBound => ({
    configured_s: configured,
    bound_s: Math.ceil(configured + ALLOWANCE_S),
    basis,
  });
  const none = bound(0, 'no configured duration');
  return {
    'plan check': none,
    preflight: bound(
      preflightS,
      backupS > preflight.window_s!
        ? `preflight.backup.timeout_s ${backupS} s (the sample window, ${preflight.window_s} s, runs beside it)`
        : `preflight.window_s ${preflight.window_s} s`,
    ),
    snapshot: bound(SNAPSHOT_WINDOW_S, `the snapshot window ${SNAPSHOT_WINDOW_S} s`),
    verify: bound(
      verify.window_s! + verify.warm_latency!.max_wait_s!,
      `verify.window_s ${verify.window_s} s + warm_latency.max_wait_s ${verify.warm_latency!.max_wait_s} s`,
    ),
    loadtest: bound(
      volume.durationMs / 1000 + graceS,
      `loadtest duration ${volume.durationMs / 1000} s + grace ${graceS} s`,
    ),
    analyze: none,
    // The last sample is due at or before duration_s; its reads are bounded (at most 5 s each) inside the allowance.
    monitor: bound(monitor.duration_s, `monitor.duration_s ${monitor.duration_s} s`),
    // like the monitor: the last sample is due at duration_s
    'rollback-watch': bound(watchS, `rollback.watch.duration_s ${watchS} s`),
    report: none,
    incident: none,
    notify: none,
    'evidence seal': none,
    // git in the inventory's checkout (the runbook's "git revert"): nothing to measure
    'change history': none,
    'change locate': none,
    'change revert': none,
  };
}
