import { GateFailedError } from './errors';
import type { HaproxyStatRow } from './haproxy-socket';

/**
 * Waiting for a server at HAProxy to reach a state, bounded. "drained" means HAProxy sends it nothing new and
 * nothing is in flight: admin state DRAIN or MAINT, or health DOWN (a stopped instance is as drained as it gets,
 * which community.general.haproxy's wait for the literal status DRAIN never accepts), with zero current sessions.
 * "up" means health checks pass and it takes traffic (status UP, not DRAIN/MAINT).
 */
export type LbGoal = 'drained' | 'up';

export function reached(goal: LbGoal, row: Pick<HaproxyStatRow, 'status' | 'scur'>): boolean {
  const status = row.status.toUpperCase();
  if (goal === 'up') return status.startsWith('UP') && !status.includes('DRAIN') && !status.includes('MAINT');
  return /^(DRAIN|MAINT|DOWN|NOLB)/.test(status) && row.scur === 0;
}

export interface WaitResult {
  status: string;
  sessions: number;
  waited_ms: number;
}

/** Polls `read` until the goal is reached or `timeoutMs` passes (then a GateFailedError naming the last state). */
export async function waitForServer(
  read: () => Promise<Pick<HaproxyStatRow, 'status' | 'scur'>>,
  goal: LbGoal,
  what: string,
  opts: { timeoutMs: number; intervalMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> },
): Promise<WaitResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  for (;;) {
    const row = await read();
    const waited = now() - started;
    if (reached(goal, row)) return { status: row.status, sessions: row.scur, waited_ms: waited };
    if (waited >= opts.timeoutMs) {
      throw new GateFailedError(
        `${what} not ${goal} after ${Math.round(waited / 1000)} s: status ${row.status}, ${row.scur} current sessions`,
        'E_LB_WAIT',
      );
    }
    await sleep(opts.intervalMs);
  }
}
