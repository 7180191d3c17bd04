import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolAgent } from './agent';
import { errorFields } from './json-log';

export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'manual';

export interface StopPlan {
  signal: StopSignal;
  servers: http.Server[];
  deadlineMs: number;
  /** How long to keep serving, /health answering draining, before the listeners and idle connections close. */
  graceMs: number;
  closePools: (deadlineMs: number) => Promise<void>;
  onStop: ((signal: StopSignal) => void | Promise<void>) | undefined;
  exit: boolean;
}

/**
 * SIGHUP reloads; SIGTERM and SIGINT stop gracefully. Installed when the agent is created, so a signal during
 * start-up is not lost (nor fatal, as SIGHUP's default action would be): it is acted on once start() is done.
 */
export function handleSignals(agent: PoolAgent): void {
  const on = (signal: 'SIGHUP' | 'SIGTERM' | 'SIGINT'): void => {
    const act = (): void => {
      if (agent.lifecycle === 'draining') return;
      if (signal === 'SIGHUP') {
        agent.reload().catch((err: unknown) => agent.log.log('error', 'reload_crashed', errorFields(err)));
      } else void agent.stop(signal);
    };
    const starting = agent.whenStarted();
    if (agent.lifecycle === 'starting' && starting) void starting.then(act, act);
    else if (agent.lifecycle === 'starting' && signal === 'SIGHUP')
      return; // not started: nothing to reload yet
    else act();
  };
  for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.on(signal, () => on(signal));
}

/**
 * The graceful stop: /health says draining (for `graceMs`, while the load balancer notices), the listeners close
 * (new connections are refused, so a load balancer retries elsewhere), in-flight requests finish, pools drain and
 * end, then the process exits 0 (1 if all that took longer than the deadline plus a little).
 */
export async function stopServing(agent: PoolAgent, plan: StopPlan): Promise<void> {
  agent.health.lifecycle = 'draining';
  const { counters, log } = agent;
  log.log('info', 'service_stopping', { signal: plan.signal, in_flight: counters.inFlight });
  const deadline = Date.now() + plan.deadlineMs;
  const hardStop = plan.exit
    ? setTimeout(() => {
        log.log('error', 'service_stop_deadline', { in_flight: counters.inFlight });
        process.exit(1);
      }, plan.deadlineMs + 2000)
    : undefined;
  // Until the load balancer's checks have marked the instance down it still sends requests, some on kept-alive
  // connections: closing those now would lose a request sent as the connection closes, which a balancer may not
  // resend when it is a write. Serving through the grace, then closing, leaves nothing in that race.
  if (plan.graceMs > 0) await sleep(Math.min(plan.graceMs, plan.deadlineMs));
  // When the grace ended, for whoever checks it against the balancer's own log of taking the instance out.
  log.log('info', 'service_closing', { grace_ms: plan.graceMs, in_flight: counters.inFlight });
  const closed = plan.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
  while (counters.inFlight > 0 && Date.now() < deadline) {
    for (const s of plan.servers) s.closeIdleConnections();
    await sleep(25);
  }
  for (const s of plan.servers) s.closeIdleConnections();
  await Promise.race([Promise.all(closed), sleep(Math.max(0, deadline - Date.now()))]);
  await plan.closePools(Math.max(0, deadline - Date.now()));
  log.log('info', 'service_stopped', {
    signal: plan.signal,
    requests_total: counters.requestsTotal,
    requests_errors: counters.requestErrors,
  });
  try {
    await plan.onStop?.(plan.signal);
  } catch (err) {
    log.log('error', 'on_stop_failed', errorFields(err));
  }
  if (hardStop) clearTimeout(hardStop);
  if (plan.exit) process.exit(0);
}
