import { classifyError } from './error-kind';
import type { Recorder } from './recorder';
import type { RequestSpec } from './requests';
import { captureOf } from './scenario';

/**
 * How a lane's request ends in the Recorder, the same for every transport: an answer with its latency and status
 * (and, when its request captures a field, the value of a successful answer), or a failure classified by its
 * stable code.
 */

/** What a transport's lane knows of its request when it ends. */
export interface LaneRequest {
  intendedMs: number;
  sentMs: number;
  status: number;
  capture: boolean;
  chunks: Buffer[];
}

export function recordAnswer(recorder: Recorder, spec: RequestSpec, lane: LaneRequest, now: number): void {
  const req = spec.request;
  const ok = req.expects(lane.status);
  recorder.recordAnswer(req.index, lane.intendedMs, lane.sentMs, now, lane.status, ok);
  if (lane.capture && ok && req.capture !== null)
    recorder.recordCapture(req.index, captureOf(Buffer.concat(lane.chunks).toString('utf8'), req.capture));
}

export function recordFailure(recorder: Recorder, spec: RequestSpec, err: Error, now: number): void {
  const code = (err as { code?: string }).code;
  recorder.recordFailure(spec.request.index, now, classifyError(err), code ? `${code}: ${err.message}` : err.message);
}

/** Whether a lane should keep the body of this request's answer: it captures, and the cap is not reached. */
export function wantsCapture(recorder: Recorder, spec: RequestSpec): boolean {
  return spec.request.capture !== null && recorder.wantsCapture(spec.request.index);
}
