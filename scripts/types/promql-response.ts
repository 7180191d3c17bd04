/* Generated from schemas/promql-response.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * A Prometheus HTTP API answer to GET /api/v1/query that poolgate can use: an instant vector (the only result type poolgate's queries produce).
 */
export interface PromqlResponse {
  status: 'success';
  data: {
    resultType: 'vector';
    result: {
      metric: {
        [k: string]: string;
      };
      /**
       * @minItems 2
       * @maxItems 2
       */
      value: [unknown, unknown];
    }[];
  };
}
