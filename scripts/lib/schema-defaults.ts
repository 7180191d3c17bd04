import fs from 'node:fs';
import path from 'node:path';
import { schemasDir } from './paths';

/**
 * Fill a config's absent keys with the `default`s its schema declares, so thresholds live in ONE place (the
 * schema: data, not code). Follows nested object `properties` (not `$ref`s); never overwrites a given value.
 */
interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
}

const cache = new Map<string, SchemaNode>();

function load(name: string): SchemaNode {
  let s = cache.get(name);
  if (!s) {
    s = JSON.parse(fs.readFileSync(path.join(schemasDir, `${name}.schema.json`), 'utf8')) as SchemaNode;
    cache.set(name, s);
  }
  return s;
}

function fill(node: SchemaNode, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const [key, sub] of Object.entries(node.properties ?? {})) {
    if (out[key] === undefined && sub.default !== undefined) out[key] = structuredClone(sub.default);
    else if (sub.properties && (out[key] === undefined || (typeof out[key] === 'object' && !Array.isArray(out[key])))) {
      const nested = fill(sub, (out[key] as Record<string, unknown> | undefined) ?? {});
      if (out[key] !== undefined || Object.keys(nested).length > 0) out[key] = nested;
    }
  }
  return out;
}

export function withDefaults<T>(schemaName: string, value: T | undefined): T {
  return fill(load(schemaName), (value ?? {}) as Record<string, unknown>) as T;
}
