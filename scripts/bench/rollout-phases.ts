import type { RolloutEvent } from '../lib/run-evidence';

/**
 * Issue 7 item 7, the pure part: a rollout's phases from its events.jsonl and the start/end its measuring
 * commands record in their evidence. The target excludes the CONFIGURED load-test and monitoring durations
 * (they are the operator's choice, not the tool's cost); everything else counts: the commands' own start-up, and
 * Ansible's, from the moment ansible-playbook is started until it exits. Two figures come out: without the load
 * test and the monitor only, and without every configured observation window, which adds preflight's and
 * verify's metric sample windows (`window_s` in the plan: also time spent watching the fleet for as long as the
 * operator asked, not the tool's cost). Either way, a command that overruns its configured time counts the excess.
 */
export type { RolloutEvent };

export interface Span {
  started_at: string;
  ended_at: string;
}

export interface Phase {
  name: string;
  seconds: number;
}

export interface RolloutTiming {
  phases: Phase[];
  total_s: number;
  /** the configured load-test and monitor durations */
  configured_excluded_s: number;
  excluding_configured_s: number;
  /** the configured preflight and verify sample windows */
  sample_windows_s: number;
  /** without the load test, the monitor and the sample windows: the tool's own time */
  excluding_all_configured_s: number;
}

const secs = (a: string, b: string): number => Math.round((Date.parse(b) - Date.parse(a)) / 100) / 10;

export function rolloutTiming(
  events: readonly RolloutEvent[],
  spans: { loadtest?: Span; monitor?: Span },
  configured: { loadtest_s: number; monitor_s: number; preflight_window_s?: number; verify_window_s?: number },
  isPrimary: (host: string) => boolean,
  /** ansible-playbook's own start and exit: the run is timed as the operator waits for it */
  process?: Span,
): RolloutTiming {
  const find = (pred: (e: RolloutEvent) => boolean, what: string): RolloutEvent => {
    const e = events.find(pred);
    if (!e) throw new Error(`events.jsonl has no ${what}`);
    return e;
  };
  const last = (pred: (e: RolloutEvent) => boolean, what: string): RolloutEvent => {
    const e = [...events].reverse().find(pred);
    if (!e) throw new Error(`events.jsonl has no ${what}`);
    return e;
  };
  const hostEvent = (e: RolloutEvent): boolean => e.host !== 'localhost';
  const started = find((e) => e.action === 'run_started', 'run_started');
  const planned = find((e) => e.action === 'plan_checked', 'plan_checked');
  const preflight = find((e) => e.phase === 'preflight', 'preflight verdict');
  const firstHost = find(hostEvent, 'host event');
  const standbysDone = last(
    (e) => hostEvent(e) && !isPrimary(e.host) && e.action === 'lb_enabled',
    'standby lb_enabled',
  );
  find((e) => hostEvent(e) && isPrimary(e.host), 'primary event');
  const hostsDone = last((e) => hostEvent(e) && e.action === 'lb_enabled', 'lb_enabled');
  const done = last((e) => e.phase === 'done', 'done');
  const { loadtest, monitor } = spans;
  if (!loadtest || !monitor) throw new Error('the run has no load-test or monitor evidence');
  const phases: Phase[] = [
    ...(process ? [{ name: 'ansible start-up', seconds: secs(process.started_at, started.at) }] : []),
    { name: 'plan (render, check)', seconds: secs(started.at, planned.at) },
    {
      name: `preflight (+ snapshot in its ${configured.preflight_window_s ?? '?'}s window)`,
      seconds: secs(planned.at, preflight.at),
    },
    { name: 'snapshot check, announce', seconds: secs(preflight.at, firstHost.at) },
    { name: 'standbys (change, verify, enable)', seconds: secs(firstHost.at, standbysDone.at) },
    // From the last standby's enable: a primary's first event (lb_drain) is written once its drain is over.
    { name: 'primaries (drain, change, verify, enable)', seconds: secs(standbysDone.at, hostsDone.at) },
    {
      name: `verify fleet (${configured.verify_window_s ?? '?'}s window)`,
      seconds: secs(hostsDone.at, loadtest.started_at),
    },
    { name: `load test (${configured.loadtest_s}s configured)`, seconds: secs(loadtest.started_at, loadtest.ended_at) },
    { name: 'analyze', seconds: secs(loadtest.ended_at, monitor.started_at) },
    { name: `monitor (${configured.monitor_s}s configured)`, seconds: secs(monitor.started_at, monitor.ended_at) },
    { name: 'report, notify', seconds: secs(monitor.ended_at, done.at) },
    ...(process ? [{ name: 'seal, exit', seconds: secs(done.at, process.ended_at) }] : []),
  ];
  const total = process ? secs(process.started_at, process.ended_at) : secs(started.at, done.at);
  const excluded = configured.loadtest_s + configured.monitor_s;
  const windows = (configured.preflight_window_s ?? 0) + (configured.verify_window_s ?? 0);
  const round = (x: number): number => Math.round(x * 10) / 10;
  return {
    phases,
    total_s: total,
    configured_excluded_s: excluded,
    excluding_configured_s: round(total - excluded),
    sample_windows_s: windows,
    excluding_all_configured_s: round(total - excluded - windows),
  };
}

export interface RollbackTiming {
  detected_s: number;
  rollback_s: number;
  trigger_to_verified_s: number;
  trigger_to_end_s: number;
}

/** From the trigger (the fault we injected) to the rollback's own events and to the end of the playbook. */
export function rollbackTiming(events: readonly RolloutEvent[], triggerAt: string, endedAt: string): RollbackTiming {
  const started = events.find((e) => e.action === 'rollback_started');
  const verified = events.find((e) => e.action === 'rollback_verified');
  if (!started || !verified)
    throw new Error('events.jsonl has no rollback_started/rollback_verified: no rollback happened');
  return {
    detected_s: secs(triggerAt, started.at),
    rollback_s: secs(started.at, verified.at),
    trigger_to_verified_s: secs(triggerAt, verified.at),
    trigger_to_end_s: secs(triggerAt, endedAt),
  };
}
