/* Generated from schemas/notification.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * One line of notifications.jsonl, written by poolgate notify: which rollout event was announced, when, to which webhook (redacted to scheme://host/…, never its path or token), and whether it was delivered. A failed delivery is recorded here and on stderr, and never fails the change.
 */
export interface Notification {
  event: 'start' | 'gate_failed' | 'rollback' | 'success';
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
   * The verdict the message announced.
   */
  verdict?: string;
  /**
   * The report path the message gave.
   */
  report?: string | null;
  elapsed_ms?: number;
  /**
   * Who the message was for: each role the event goes to (scripts/lib/stakeholders.ts), with the people or channels the plan names for it (an empty list: nobody named).
   */
  for?: {
    role: 'executive_operator' | 'product_lead' | 'on_call';
    label: string;
    who: string[];
  }[];
}
