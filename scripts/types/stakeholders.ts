/* Generated from schemas/stakeholders.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * The runbook's Executive Operator.
 */
export type Who = string[];
/**
 * The runbook's Product Lead.
 */
export type Who1 = string[];
/**
 * The on-call engineer (the checklist's 30-minute responder) or their rota's channel.
 */
export type Who2 = string[];

/**
 * Who hears about a change, per role (plan.stakeholders, rendered from pool_scaling_stakeholders): the runbook's incident response ('NOTIFY - Alert stakeholders (Executive Operator, Product Lead)') and the on-call engineer of its checklist. Each entry is a person or a channel as the message should name it ('Dana Reyes', '#ledger-ops', 'db-oncall@example.com'). Every notification names the roles it is for and who they are (scripts/lib/stakeholders.ts: start and gate_failed go to on-call; rollback and success to all three); a role with nobody named is a preflight WARN.
 */
export interface Stakeholders {
  executive_operator?: Who;
  product_lead?: Who1;
  on_call?: Who2;
}
