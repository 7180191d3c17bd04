import fs from 'node:fs';
import path from 'node:path';
import type Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import { describeErrors } from '../../agent/schema-errors';
import { SchemaError } from './errors';
import { schemasDir } from './paths';
import { precompiled } from './schema-precompiled';

export { describeErrors };

/**
 * JSON Schemas in `schemas/` are the source of truth. A validator is compiled on first use and cached; only the
 * schema asked for and the files it `$ref`s (by file name, e.g. `pool-config.schema.json`) are registered, so a
 * command pays for the schemas it uses, not for all of them. Checking the schemas themselves against the
 * meta-schema is a test's job (test/unit/schemas.test.ts), not every start-up's.
 */
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();
const registered = new Set<string>();

export function newAjv(opts: { validateSchema: boolean; source?: boolean }): Ajv2020 {
  // Loaded on first compile only: with the build's precompiled validators a command never needs ajv's compiler.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const Ajv = (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const a = new Ajv({
    strict: true,
    allErrors: true,
    allowUnionTypes: true,
    validateSchema: opts.validateSchema,
    ...(opts.source ? { code: { source: true } } : {}),
  });
  addFormats(a);
  return a;
}

function instance(): Ajv2020 {
  ajv ??= newAjv({ validateSchema: false });
  return ajv;
}

/** Register `file` and, transitively, every schema file it references. */
function register(a: Ajv2020, file: string): void {
  if (registered.has(file)) return;
  const text = fs.readFileSync(path.join(schemasDir, file), 'utf8');
  const schema = JSON.parse(text) as { $id?: string };
  registered.add(file);
  a.addSchema(schema, schema.$id ?? file);
  for (const m of text.matchAll(/"\$ref"\s*:\s*"([A-Za-z0-9_.-]+\.schema\.json)/g)) register(a, m[1]!);
}

function validatorFor(name: string): ValidateFunction {
  let fn = compiled.get(name) ?? precompiled(name) ?? undefined;
  if (fn) compiled.set(name, fn);
  else {
    const a = instance();
    const id = `${name}.schema.json`;
    if (!fs.existsSync(path.join(schemasDir, id))) throw new Error(`no schema ${id} in ${schemasDir}`);
    register(a, id);
    fn = a.getSchema(id);
    if (!fn) throw new Error(`schema ${id} did not compile`);
    compiled.set(name, fn);
  }
  return fn;
}

/** A type guard backed by the schema `schemas/<name>.schema.json`. */
export function isValid<T>(name: string, value: unknown): value is T {
  return validatorFor(name)(value) === true;
}

/** Returns the value typed as T, or throws a SchemaError naming every field and rule that failed. */
export function assertValid<T>(name: string, value: unknown, what = name): T {
  const fn = validatorFor(name);
  if (fn(value) !== true) throw new SchemaError(what, describeErrors(fn.errors));
  return value as T;
}

/** Problems as strings (empty when valid), for callers that report rather than throw. */
export function problemsOf(name: string, value: unknown): string[] {
  const fn = validatorFor(name);
  return fn(value) === true ? [] : describeErrors(fn.errors);
}
