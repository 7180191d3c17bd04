/* Generated from schemas/verify-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * PLACEHOLDER: the owning helper defines this section (thresholds are data; the runbook's values are the defaults).
 */
export interface VerifyConfig {}
