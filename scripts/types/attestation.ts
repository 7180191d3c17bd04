/* Generated from schemas/attestation.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * What no probe can see, vouched for by a person (who, when) or by a URL poolgate probes (any 2xx answer attests it).
 */
export type Attestation =
  | {
      /**
       * Who attests it.
       */
      by: string;
      /**
       * When they checked it.
       */
      at: string;
      note?: string;
    }
  | {
      /**
       * Probed with GET; 2xx attests, any other answer fails, no answer is 'could not measure'.
       */
      url: string;
      note?: string;
    };
