/* Generated from schemas/loadtest-scenario.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * What `poolgate loadtest` sends (a YAML or JSON file, given with --scenario or the plan's loadtest.scenario): a list of requests, each picked in proportion to its weight. Paths, header values and bodies may hold templates `{{ generator args }}` (docs/load-test.md): seq (1, 2, 3 ... per request of the scenario, counted across every connection), cycle MIN MAX (MIN + (seq - 1) mod (MAX - MIN + 1)), uuid (random v4), int MIN MAX (random, both ends included), pick A B C (one of the words, at random), string N (N random letters and digits), now (ISO 8601 time of the send) and run_id (the run's id). seq, cycle, uuid and now have one value per request wherever they appear in it; int, pick and string draw anew at each place. A scenario is read-only unless it declares its writes: a request whose method is not GET, HEAD or OPTIONS must say `writes: true` (or `writes: false` for a read sent as POST), and the load test sends a request with `writes: true` only to a target whose plan sets loadtest.allow_writes.
 */
export interface LoadtestScenario {
  /**
   * Names the scenario in the evidence (default: the file's name).
   */
  name?: string;
  description?: string;
  /**
   * Headers sent with every request (a request's own headers of the same name win).
   */
  headers?: Headers;
  /**
   * @minItems 1
   * @maxItems 100
   */
  requests: [Request, ...Request[]];
}
/**
 * Header name → value (a template). Host, Content-Length, Transfer-Encoding and Connection are the load generator's own.
 *
 * This interface was referenced by `LoadtestScenario`'s JSON-Schema
 * via the `definition` "headers".
 */
export interface Headers {
  [k: string]: string;
}
/**
 * This interface was referenced by `LoadtestScenario`'s JSON-Schema
 * via the `definition` "request".
 */
export interface Request {
  /**
   * Unique in the scenario: counts, errors, captures and --mix name it.
   */
  name: string;
  method: 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * Path and query, starting with /, printable ASCII without spaces (percent-encode the rest); may hold templates.
   */
  path: string;
  headers?: Headers;
  /**
   * The body as text, a template sent as written (set its Content-Type in headers). Not with `json`.
   */
  body?: string;
  /**
   * The body as a JSON value, sent with Content-Type: application/json. String leaves are templates; a leaf that is exactly one numeric template ({{seq}}, {{cycle 1 20}}, {{int 1 9}}) is sent as a number. Not with `body`.
   */
  json?: {
    [k: string]: unknown;
  };
  /**
   * Relative share of the requests sent (smooth weighted round robin: exact proportions, evenly interleaved).
   */
  weight?: number;
  /**
   * The final statuses (200 to 599) that count as success; any other answer is an error of kind http_<status>.
   *
   * @minItems 1
   */
  expect?: [number, ...number[]];
  /**
   * Whether the request changes the service's state. Required for POST, PUT, PATCH and DELETE; GET, HEAD and OPTIONS are reads unless this says true.
   */
  writes?: boolean;
  /**
   * What to keep from each successful answer, so a test can check that every acknowledged write is in the database exactly once.
   */
  capture?: {
    /**
     * A dotted path into the JSON body, e.g. id or entry.id (a number or a non-empty string).
     */
    json: string;
  };
}
