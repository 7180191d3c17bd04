/* Generated from schemas/evidence-common.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * Pieces shared by the preflight, snapshot and verify evidence files.
 */
export interface EvidenceCommon {
  [k: string]: unknown;
}
