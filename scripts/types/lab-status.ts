/* Generated from schemas/lab-status.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * `npm run lab:status -- --json`: each part of the local lab of one slot and its health.
 */
export interface LabStatus {
  /**
   * POOLGATE_LAB_SLOT of this lab.
   */
  slot: number;
  /**
   * The slot's loopback net, e.g. 127.0.2.0/24.
   */
  net: string;
  /**
   * True when every component is healthy.
   */
  healthy: boolean;
  components: LabComponentStatus[];
}
/**
 * This interface was referenced by `LabStatus`'s JSON-Schema
 * via the `definition` "component".
 */
export interface LabComponentStatus {
  /**
   * postgresql, supervisord, instance <name>, haproxy, haproxy <backend>/<server>, traffic via haproxy.
   */
  component: string;
  healthy: boolean;
  /**
   * running or stopped, or the supervisor / HAProxy state (RUNNING, EXITED, UP, MAINT …).
   */
  state: string;
  pid?: number;
  /**
   * Where it listens and what was seen, for a person.
   */
  detail: string;
  /**
   * The pool in force on an instance (from /api/health/pool-config).
   */
  pool?: {
    min: number;
    max: number;
    generation: number;
  };
}
