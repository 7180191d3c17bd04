import { performance } from 'node:perf_hooks';

/**
 * The agent's monotonic clock, in ms. Read through the module's own reference: the global `performance` is a lazy
 * accessor in Node 20, so every bare `performance.now()` on the request path also ran a getter.
 */
export function monotonicMs(): number {
  return performance.now();
}

/** The wall-clock time, in ms since the epoch, of a `monotonicMs()` reading. */
export function epochMsOf(monotonic: number): number {
  return performance.timeOrigin + monotonic;
}
