import type { RequestSpec } from './requests';

/**
 * Sends requests on numbered lanes (one lane = one connection = at most one request in flight, so the number
 * of lanes is the concurrency cap). The transport records each answer or failure in the Recorder itself and
 * then calls the `release` it was given with the lane number.
 */
export interface Transport {
  readonly lanes: number;
  setRelease(release: (lane: number) => void): void;
  send(lane: number, spec: RequestSpec, intendedMs: number, sentMs: number): void;
  /** Give up on every request still in flight (recorded as timeouts); returns how many there were. */
  abortAll(): number;
}

/** What a transport over real connections is built from. */
export interface ConnectionOptions {
  /** The origin, e.g. http://127.0.0.1:8080 (no path). */
  url: string;
  lanes: number;
  /** Connect, headers and body timeout. */
  timeoutMs: number;
  now: () => number;
}

/** A transport over real connections: opened before the clock starts, closed after the run. */
export interface ConnectionTransport extends Transport {
  /** Opens every lane's connection with one request each (any status); returns the lanes that failed. */
  warmUp(): Promise<{ failures: number; messages: string[] }>;
  close(): Promise<void>;
}

/** Why a run ended (loadtest-result.schema.json `outcome.stop_reason`). */
export type StopReason = 'completed' | 'requests' | 'duration' | 'hard_stop' | 'interrupted';
