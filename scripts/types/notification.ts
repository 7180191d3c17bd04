/* Generated from schemas/notification.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Decision, RollbackOutcome } from './evidence-common';

/**
 * One line of notifications.jsonl, written by poolgate notify: which rollout event was announced, when, to which webhook (redacted to scheme://host/…, never its path or token), and whether it was delivered. A failed delivery is recorded here and on stderr, and never fails the change.
 */
export interface Notification {
  /**
   * sealed: sent after the evidence was sealed, carrying the manifest's digest off the box (recorded in seal_notifications.jsonl, outside the manifest).
   */
  event: 'start' | 'gate_failed' | 'rollback' | 'success' | 'sealed';
  at: string;
  /**
   * true only when the webhook answered 2xx.
   */
  ok: boolean;
  /**
   * The webhook's HTTP status, when it answered.
   */
  status?: number;
  /**
   * Why it was not delivered: refused, timeout, non-2xx, no webhook configured (secrets scrubbed).
   */
  error?: string;
  /**
   * true when no webhook is configured: nothing was sent.
   */
  skipped?: boolean;
  /**
   * The webhook as scheme://host/…, null when none is configured.
   */
  target: string | null;
  run_id: string;
  /**
   * The run's decision the message announced: ROLLBACK from a failed gate on, the report's decision on success; null at the start.
   */
  decision?: Decision | null;
  /**
   * How the rollback ended, null when none ended (yet).
   */
  rollback?: RollbackOutcome | null;
  /**
   * What the message said, e.g. ROLLED BACK (scripts/lib/verdict.ts).
   */
  headline?: string;
  /**
   * The report path the message gave.
   */
  report?: string | null;
  elapsed_ms?: number;
  /**
   * sealed: the sha256 of the run's manifest.sha256 the message carried.
   */
  manifest_sha256?: string;
  /**
   * sealed: whether the manifest was signed (manifest.sha256.sig).
   */
  signed?: boolean;
  /**
   * Who the message was for: each role the event goes to (scripts/lib/stakeholders.ts), with the people or channels the plan names for it (an empty list: nobody named).
   */
  for?: {
    role: 'executive_operator' | 'product_lead' | 'on_call';
    label: string;
    who: string[];
  }[];
}
