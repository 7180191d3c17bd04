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
       * Path of the instance's JSON-lines log file, read on the instance's host (the plan's hosts entry of the target's name; without one, on the control node). For log summaries; optional.
       */
      log?: string;
      /**
       * The systemd unit whose journal holds the instance's log (journalctl -u <unit> -o json on the instance's host); each entry's MESSAGE is a JSON line or plain text judged by its PRIORITY. Excludes log.
       */
      journal?: string;
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
       * Path of the instance's JSON-lines log file, read on the instance's host (the plan's hosts entry of the target's name; without one, on the control node). For log summaries; optional.
       */
      log?: string;
      /**
       * The systemd unit whose journal holds the instance's log (journalctl -u <unit> -o json on the instance's host); each entry's MESSAGE is a JSON line or plain text judged by its PRIORITY. Excludes log.
       */
      journal?: string;
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
