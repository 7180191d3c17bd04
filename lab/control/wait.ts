import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from './lab-error';

/**
 * Poll `probe` until it returns null (ready) or the deadline passes. A string from the probe says why it is
 * not ready yet; the last one ends up in the error, so a timeout explains itself. A LabError from the probe
 * means waiting cannot help: it ends the wait at once.
 */
export async function waitUntil(
  part: string,
  probe: () => Promise<string | null>,
  opts: { timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let reason = 'not checked';
  for (;;) {
    try {
      const r = await probe();
      if (r === null) return;
      reason = r;
    } catch (err) {
      if (err instanceof LabError) throw err;
      reason = (err as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new LabError(part, `not ready after ${Math.round(opts.timeoutMs / 1000)} s: ${reason}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}
