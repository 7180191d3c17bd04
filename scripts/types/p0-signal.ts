/* Generated from schemas/p0-signal.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * What a P0 URL (poolgate monitor --p0-url) must answer: JSON with a boolean `p0`, true while a P0 incident is open. Other keys are ignored (it is usually a small endpoint of the incident tool).
 */
export interface P0Signal {
  p0: boolean;
  reason?: string;
}
