import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { SchemaError } from './errors';
import { schemasDir } from './paths';

/**
 * JSON Schemas in `schemas/` are the source of truth. Every schema is registered once under its file name
 * (e.g. `pool-config`), compiled on first use and cached, so `$ref: "pool-config.schema.json"` works across files.
 */
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function instance(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const file of fs.readdirSync(schemasDir).filter((f) => f.endsWith('.schema.json')).sort()) {
    const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, file), 'utf8')) as { $id?: string };
    ajv.addSchema(schema, schema.$id ?? file);
  }
  return ajv;
}

function validatorFor(name: string): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    const a = instance();
    const id = `${name}.schema.json`;
    fn = a.getSchema(id);
    if (!fn) throw new Error(`no schema ${id} in ${schemasDir}`);
    compiled.set(name, fn);
  }
  return fn;
}

/** "/pool/max: must be >= 1" — the field and the rule it broke, as a person would say it. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(root)';
    if (e.keyword === 'additionalProperties') {
      return `${where}: unknown key "${String((e.params as { additionalProperty: string }).additionalProperty)}"`;
    }
    if (e.keyword === 'required') {
      return `${where}: missing required key "${String((e.params as { missingProperty: string }).missingProperty)}"`;
    }
    return `${where}: ${e.message ?? e.keyword}`;
  });
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
