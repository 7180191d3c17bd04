/* Generated from schemas/stakeholders.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * People or channels; empty: nobody named (a preflight WARN).
 *
 * This interface was referenced by `Stakeholders`'s JSON-Schema
 * via the `definition` "who".
 */
export type Who = string[];

/**
 * Who hears about a change, per role (plan.stakeholders, rendered from pool_scaling_stakeholders): the runbook's incident response ('NOTIFY - Alert stakeholders (Executive Operator, Product Lead)') and the on-call engineer of its checklist. Each entry is a person or a channel as the message should name it ('Dana Reyes', '#ledger-ops', 'db-oncall@example.com'). Every notification names the roles it is for and who they are (scripts/lib/stakeholders.ts: start and gate_failed go to on-call; rollback and success to all three); a role with nobody named is a preflight WARN.
 */
export interface Stakeholders {
  /**
   * The runbook's Executive Operator.
   */
  executive_operator?: Who;
  /**
   * The runbook's Product Lead.
   */
  product_lead?: Who;
  /**
   * The on-call engineer (the checklist's 30-minute responder) or their rota's channel.
   */
  on_call?: Who;
}
