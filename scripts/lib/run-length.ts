import { formatDurationS } from './duration';
import { withDefaults } from './schema-defaults';
import { commandBounds } from './time-bounds';
import type { Plan } from '../types/plan';
import type { PreflightConfig } from '../types/preflight-config';
import type { RollbackConfig } from '../types/rollback-config';

/**
 * How long a run of the plan may take, end to end, for the change window (runbook checklist "Change window:
 * Low-traffic period (2-6 AM UTC)" holds for the whole change, not only its start): what the plan configures the
 * commands to spend watching (preflight's sample window, verify's, the load test, the monitoring: the durations
 * time-bounds.ts owns), a stated allowance per target for its part of the rollout, and room for one rollback at the
 * runbook's bound with its watch. Start-up and probes are inside the per-target allowance.
 */
export interface RunLengthPart {
  what: string;
  s: number;
}

export interface RunLength {
  total_s: number;
  parts: RunLengthPart[];
}

export function expectedRunLength(plan: Plan): RunLength {
  const bounds = commandBounds(plan);
  const window = withDefaults<PreflightConfig>('preflight-config', plan.preflight ?? {}).change_window!;
  const rollback = withDefaults<RollbackConfig>('rollback-config', plan.rollback ?? {});
  const hosts = plan.targets.length;
  const parts: RunLengthPart[] = [
    { what: 'preflight', s: bounds.preflight.configured_s },
    { what: `${hosts} targets × ${formatDurationS(window.per_host_s!)}`, s: hosts * window.per_host_s! },
    { what: 'verify', s: bounds.verify.configured_s },
    { what: 'load test', s: bounds.loadtest.configured_s },
    { what: 'monitoring', s: bounds.monitor.configured_s },
    { what: 'one rollback', s: rollback.max_s! },
    { what: 'its watch', s: bounds['rollback-watch'].configured_s },
  ];
  return { total_s: parts.reduce((n, p) => n + p.s, 0), parts };
}

/** "105m (preflight 10s + 4 targets × 120s 8m + …)": whole minutes for the total, a window is planned in minutes. */
export function describeRunLength(r: RunLength): string {
  return `${formatDurationS(Math.ceil(r.total_s / 60) * 60)} (${r.parts.map((p) => `${p.what} ${formatDurationS(p.s)}`).join(' + ')})`;
}
