/* Generated from schemas/incident-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * poolgate incident --json: where the incident was recorded.
 */
export interface IncidentResult {
  /**
   * incidents/<ts>_pool_scaling_incident.md (absolute path).
   */
  incident_file: string;
  /**
   * rollback_log.txt, to which one 'Rollback reason: …' line was appended.
   */
  rollback_log: string;
  severity: 'P0' | 'P1' | 'P2';
  trigger: string;
  reason: string;
}
