import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, SchemaError } from '../errors';
import { schemasDir } from '../paths';
import { problemsOf } from '../schema';
import type { LoadtestScenario } from '../../types/loadtest-scenario';
import { encodeHead, headAfterPath, type RequestSpec, type ScenarioRequest } from './requests';
import { NUMERIC, RequestValues, soleGenerator, Template, TemplateError, type Generator } from './template';

type ScenarioRequestDoc = LoadtestScenario['requests'][number];

/** A scenario read and checked: what the evidence records of it, and its requests with every default resolved. */
export interface Scenario {
  name: string;
  /** The file it was read from and its sha256 (null for one built in code). */
  file: string | null;
  sha256: string | null;
  headers: Record<string, string>;
  requests: ResolvedRequest[];
}

/** A scenario request with its defaults resolved. */
export type ResolvedRequest = Omit<ScenarioRequestDoc, 'weight' | 'expect' | 'writes'> & {
  weight: number;
  expect: number[];
  writes: boolean;
};

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Framing headers the load generator writes itself. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
/** run_id stands in for the real one while a scenario is only checked. */
const CHECK_RUN_ID = 'check';

/** The request defaults live in the schema (weight, expect): read once from it, not restated here. */
function requestDefaults(): { weight: number; expect: number[] } {
  const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, 'loadtest-scenario.schema.json'), 'utf8')) as {
    $defs: { request: { properties: { weight: { default: number }; expect: { default: number[] } } } };
  };
  const p = schema.$defs.request.properties;
  return { weight: p.weight.default, expect: p.expect.default };
}

/** Reads a scenario file (YAML, or JSON by its .json extension) and checks it: exit 2 naming what is wrong. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read scenario ${file}: ${(err as Error).message}`, 'E_SCENARIO_READ');
  }
  let raw: unknown;
  try {
    if (file.endsWith('.json')) raw = JSON.parse(text);
    else {
      // Loaded here only: the yaml package is for this one input.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const YAML = require('yaml') as typeof import('yaml');
      raw = YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
    }
  } catch (err) {
    throw new InputError(`scenario ${file} does not parse: ${(err as Error).message}`, 'E_SCENARIO_READ');
  }
  const sha256 = crypto.createHash('sha256').update(text).digest('hex');
  return checkScenario(raw, { file, sha256, name: path.basename(file).replace(/\.(ya?ml|json)$/, '') });
}

/**
 * Schema, then what a schema cannot say: unique names, declared writes, no framing headers, one body form,
 * templates that compile. Every problem names the request (index and name) and its field.
 */
export function checkScenario(
  raw: unknown,
  source: { file: string | null; sha256: string | null; name: string },
): Scenario {
  const what = `scenario ${source.file ?? source.name}`;
  const doc = raw as LoadtestScenario;
  const at = (i: number): string => {
    const name = doc?.requests?.[i]?.name;
    return `requests[${i}]${typeof name === 'string' ? ` (${name})` : ''}`;
  };
  const schemaProblems = problemsOf('loadtest-scenario', raw).map((p) =>
    p.replace(/^\/requests\/(\d+)(\/?)/, (_, i: string, slash: string) => `${at(Number(i))}${slash ? '.' : ''}`),
  );
  if (schemaProblems.length > 0)
    throw new SchemaError(
      what,
      schemaProblems.map((p) => p.replace(/\//g, '.')),
    );

  const d = requestDefaults();
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const headers = doc.headers ?? {};
  problems.push(...headerProblems('headers', headers));
  const requests = doc.requests.map((r, i): ResolvedRequest => {
    const where = at(i);
    const first = seen.get(r.name);
    if (first !== undefined) problems.push(`${where}.name: "${r.name}" is already the name of requests[${first}]`);
    else seen.set(r.name, i);
    if (!READ_METHODS.has(r.method) && r.writes === undefined)
      problems.push(
        `${where}.writes: method ${r.method} changes state unless you say otherwise: declare writes: true (or writes: false for a read sent as ${r.method})`,
      );
    if (r.body !== undefined && r.json !== undefined) problems.push(`${where}: give body or json, not both`);
    if (r.method === 'HEAD' && (r.body !== undefined || r.json !== undefined || r.capture))
      problems.push(`${where}: a HEAD request has no body and its answer none to capture`);
    problems.push(...headerProblems(`${where}.headers`, r.headers ?? {}));
    const full: ResolvedRequest = {
      ...r,
      weight: r.weight ?? d.weight,
      expect: r.expect ?? d.expect,
      writes: r.writes ?? false,
    };
    try {
      compileRequest(full, i, headers, CHECK_RUN_ID);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      problems.push(`${where}.${err.message}`);
    }
    return full;
  });
  if (problems.length > 0) throw new SchemaError(what, problems);
  return { name: doc.name ?? source.name, file: source.file, sha256: source.sha256, headers, requests };
}

function headerProblems(where: string, headers: Record<string, string>): string[] {
  return Object.keys(headers)
    .filter((h) => RESERVED_HEADERS.has(h.toLowerCase()))
    .map((h) => `${where}.${h}: the load generator sets ${h} itself`);
}

/**
 * One scenario request ready to send. Without a template anywhere it is one RequestSpec, its bytes encoded once;
 * otherwise each `next()` renders the templated parts with a new seq (shared by every connection: the run is
 * single-threaded, so the numbers are unique in the run) and, given the host, encodes them into one buffer whose
 * head is static text but for the path and the length.
 */
export class CompiledRequest implements ScenarioRequest {
  private seq = 0;
  private readonly fixed: RequestSpec | null;
  private readonly statuses: Uint8Array;
  /** The header names and values when none is templated: one array for every send. */
  private readonly staticHeaders: readonly string[] | null;
  /** The head after the path when the headers are static and the host known; else the transport encodes. */
  private readonly afterPath: string | null;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly method: string,
    readonly writes: boolean,
    readonly capture: readonly string[] | null,
    expect: readonly number[],
    private readonly path: Template,
    /** Header names and their value templates, alternating. */
    private readonly headerParts: ReadonlyArray<string | Template>,
    private readonly body: Template | null,
    private readonly values: RequestValues,
    host: string | null,
  ) {
    this.statuses = new Uint8Array(600);
    for (const s of expect) this.statuses[s] = 1;
    this.staticHeaders = headerParts.every((p) => typeof p === 'string') ? (headerParts as string[]) : null;
    this.afterPath = host !== null && this.staticHeaders !== null ? headAfterPath(host, this.staticHeaders) : null;
    const templated = !path.isStatic || (body !== null && !body.isStatic) || this.staticHeaders === null;
    this.fixed = templated ? null : this.render();
  }

  expects(status: number): boolean {
    return this.statuses[status] === 1;
  }

  next(): RequestSpec {
    if (this.fixed !== null) return this.fixed;
    this.values.start(++this.seq);
    return this.render();
  }

  private render(): RequestSpec {
    const v = this.values;
    const headers = this.staticHeaders ?? this.headerParts.map((p) => (p instanceof Template ? p.render(v) : p));
    const path = this.path.render(v);
    const body = this.body === null ? null : this.body.render(v);
    const bytes = this.afterPath === null ? null : encodeHead(this.method, path, this.afterPath, body);
    return { request: this, path, headers, body, bytes };
  }
}

/**
 * Compiles one request. `host` (the Host header) lets a request without templates be encoded once; null for
 * a check only. Throws TemplateError with the field it is about first ("json.lines[0].memo: ...").
 */
export function compileRequest(
  r: ResolvedRequest,
  index: number,
  common: Record<string, string>,
  runId: string,
  host: string | null = null,
  values = new RequestValues(),
): CompiledRequest {
  const field = <T>(name: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof TemplateError) throw new TemplateError(`${name}: ${err.message}`);
      throw err;
    }
  };
  const pathT = field('path', () => Template.compile(r.path, 'path', runId));
  const merged = new Map<string, [string, string]>();
  for (const [k, v] of Object.entries(common)) merged.set(k.toLowerCase(), [k, v]);
  for (const [k, v] of Object.entries(r.headers ?? {})) merged.set(k.toLowerCase(), [k, v]);
  if (r.json !== undefined && !merged.has('content-type'))
    merged.set('content-type', ['Content-Type', 'application/json']);
  const headerParts: Array<string | Template> = [];
  for (const [k, v] of merged.values()) {
    const t = field(`headers.${k}`, () => Template.compile(v, 'header', runId));
    headerParts.push(k, t.isStatic ? t.text : t);
  }
  let body: Template | null = null;
  if (r.body !== undefined) body = field('body', () => Template.compile(r.body!, 'body', runId));
  else if (r.json !== undefined) body = Template.compile(jsonText(r.json, 'json'), 'body', runId);
  const capture = r.capture ? r.capture.json.split('.') : null;
  return new CompiledRequest(
    index,
    r.name,
    r.method,
    r.writes,
    capture,
    r.expect,
    pathT,
    headerParts,
    body,
    values,
    host,
  );
}

/**
 * A JSON body as template text, built once: string leaves keep their templates inside the quotes, and a leaf
 * that is exactly one numeric template goes in bare, so it is sent as a number. Each string leaf is compiled
 * here too, so an error names the leaf (json.lines[0].account_id).
 */
function jsonText(value: unknown, where: string): string {
  if (typeof value === 'string') {
    const sole = soleGenerator(value);
    // Checked alone first, so the error names this leaf rather than the whole body.
    try {
      Template.compile(value, 'body', CHECK_RUN_ID);
    } catch (err) {
      if (err instanceof TemplateError) throw new TemplateError(`${where}: ${err.message}`);
      throw err;
    }
    return sole !== null && NUMERIC.has(sole as Generator) ? value : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => jsonText(v, `${where}[${i}]`)).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v, `${where}.${k}`)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** A request's captured field from its answer's body: a number or a non-empty string, else null. */
export function captureOf(body: string, fieldPath: readonly string[]): number | string | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return null;
  }
  for (const key of fieldPath) {
    if (doc === null || typeof doc !== 'object') return null;
    doc = (doc as Record<string, unknown>)[key];
  }
  return typeof doc === 'number' || (typeof doc === 'string' && doc !== '') ? doc : null;
}

/** The run's requests: every request of the scenario compiled for this run (and origin: null, no bytes). */
export function compileScenario(s: Scenario, opts: { host: string | null; runId: string }): CompiledRequest[] {
  const values = new RequestValues();
  return s.requests.map((r, i) => compileRequest(r, i, s.headers, opts.runId, opts.host, values));
}

/**
 * Refuses a scenario whose active requests (weight > 0) write when the target is not marked as allowing writes:
 * exit 2 naming each request, the target and the plan field to set, before anything is sent.
 */
export function refuseWrites(s: Scenario, weights: readonly number[], target: string): void {
  const writing = s.requests.filter((r, i) => r.writes && weights[i]! > 0);
  if (writing.length === 0) return;
  const list = writing.map((r) => `${r.name} (${r.method} ${r.path})`).join(', ');
  throw new InputError(
    `scenario ${s.name} writes — ${list} — and the target ${target} is not marked as allowing writes: set ` +
      'loadtest.allow_writes: true in the plan (inventory: pool_scaling_loadtest.allow_writes) or pass --allow-writes, ' +
      'or leave the writes out (--mix). Nothing was sent.',
    'E_WRITES_NOT_ALLOWED',
  );
}
