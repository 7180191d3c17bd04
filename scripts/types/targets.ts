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
       * Base URL of the instance: scheme and host, and the path prefix its contract endpoints live under if any (https://host/ops), with no trailing slash.
       */
      url: string;
      role?: 'standby' | 'primary';
      /**
       * Path of the instance's JSON-lines log on the control node (for log summaries; optional).
       */
      log?: string;
      /**
       * A file on the control node holding the bearer token the instance's contract endpoints require (poolgate sends Authorization: Bearer <its content, trimmed> on every probe). Never the token itself.
       */
      token_file?: string;
      /**
       * Or the environment variable holding that token.
       */
      token_env?: string;
    },
    ...{
      name: string;
      /**
       * Base URL of the instance: scheme and host, and the path prefix its contract endpoints live under if any (https://host/ops), with no trailing slash.
       */
      url: string;
      role?: 'standby' | 'primary';
      /**
       * Path of the instance's JSON-lines log on the control node (for log summaries; optional).
       */
      log?: string;
      /**
       * A file on the control node holding the bearer token the instance's contract endpoints require (poolgate sends Authorization: Bearer <its content, trimmed> on every probe). Never the token itself.
       */
      token_file?: string;
      /**
       * Or the environment variable holding that token.
       */
      token_env?: string;
    }[]
  ];
}
