/* Generated from schemas/service-health.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * GET /health: 200 with status ok while the instance serves and its pool runs SELECT 1; 503 otherwise.
 */
export interface ServiceHealth {
  status: 'ok' | 'starting' | 'draining' | 'unhealthy';
  /**
   * Why the instance is not ok.
   */
  reason?: string;
}
