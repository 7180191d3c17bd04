/* Generated from schemas/targets.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * The service instances a command measures (from a file, or from --target name=url flags).
 */
export interface Targets {
  /**
   * @minItems 1
   */
  targets: [
    {
      name: string;
      /**
       * Base URL of the instance, no path.
       */
      url: string;
      role?: 'standby' | 'primary';
      /**
       * Path of the instance's JSON-lines log on the control node (for log summaries; optional).
       */
      log?: string;
    },
    ...{
      name: string;
      /**
       * Base URL of the instance, no path.
       */
      url: string;
      role?: 'standby' | 'primary';
      /**
       * Path of the instance's JSON-lines log on the control node (for log summaries; optional).
       */
      log?: string;
    }[]
  ];
}
