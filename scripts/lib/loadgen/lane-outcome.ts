import { classifyError } from './error-kind';
import type { Recorder } from './recorder';
import type { RequestSpec } from './requests';

/**
 * How a lane's request ends in the Recorder, the same for every transport: an answer with its latency and status
 * (and, for a captured 201, the journal entry id it created), or a failure classified by its stable code.
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
  recorder.recordAnswer(spec.endpoint, lane.intendedMs, lane.sentMs, now, lane.status, spec.expectStatus);
  if (lane.capture && lane.status === spec.expectStatus) {
    const id = createdIdOf(Buffer.concat(lane.chunks).toString('utf8'));
    if (id !== null) recorder.recordCreatedId(id);
  }
}

export function recordFailure(recorder: Recorder, spec: RequestSpec, err: Error, now: number): void {
  const code = (err as { code?: string }).code;
  recorder.recordFailure(spec.endpoint, now, classifyError(err), code ? `${code}: ${err.message}` : err.message);
}

/** A journal entry id from a 201 body: `{id}` or `{entry|journal_entry: {id}}` or `{journal_entry_id}`. */
export function createdIdOf(body: string): number | string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return null;
  }
  if (doc === null || typeof doc !== 'object') return null;
  const o = doc as Record<string, unknown>;
  const nested = (o.entry ?? o.journal_entry) as Record<string, unknown> | undefined;
  const id = o.id ?? o.journal_entry_id ?? nested?.id;
  return typeof id === 'number' || (typeof id === 'string' && id !== '') ? id : null;
}
