import type { MonitorResult } from '../../types/monitor-result';

/** The runbook's dashboard screenshots (15, 30 and 60 minutes into a 60-minute watch) as fractions of the run's. */
export const RUNBOOK_MOMENTS = [
  { fraction: 0.25, runbook: '15 min' },
  { fraction: 0.5, runbook: '30 min' },
  { fraction: 1, runbook: '60 min' },
] as const;

export interface Moment {
  /** "15 min" etc.: the runbook's moment this one stands for. */
  runbook: string;
  fraction: number;
  /** Epoch ms: monitor start + fraction × configured duration. */
  at: number;
  /** Seconds into the monitoring. */
  elapsed_s: number;
  /** false when the monitoring stopped (trigger, outage, interruption) before this moment. */
  reached: boolean;
}

/**
 * The moments of the runbook's screenshots scaled to the monitor's configured duration. The last one is the
 * monitoring's end when it completed (its final sample may land a little after the nominal duration).
 */
export function snapshotMoments(monitor: MonitorResult | null): Moment[] {
  if (!monitor) return [];
  const start = Date.parse(monitor.started_at);
  const end = Date.parse(monitor.ended_at);
  const durationMs = monitor.config.duration_s * 1000;
  const slack = monitor.config.interval_s * 1000;
  return RUNBOOK_MOMENTS.map(({ fraction, runbook }) => {
    const nominal = start + fraction * durationMs;
    const at = fraction === 1 && monitor.completed ? Math.max(nominal, end) : nominal;
    return { runbook, fraction, at, elapsed_s: Math.round((at - start) / 1000), reached: at <= end + slack };
  });
}
