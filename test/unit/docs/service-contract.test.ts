import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot, schemasDir } from '../../../scripts/lib/paths';

/**
 * docs/service-contract.md documents every field of the service schemas and nothing else: each section's table
 * (one row per field path, e.g. `pool.acquire_wait_ms.p95`) must list exactly the paths its schema defines.
 */
const SECTIONS: Record<string, string> = {
  '### GET /health': 'service-health',
  '### GET /api/health/metrics': 'service-metrics',
  '### GET /api/health/pool-config': 'service-pool-config',
  '## The pool config file': 'pool-config',
};

type Schema = {
  $ref?: string;
  $defs?: Record<string, Schema>;
  properties?: Record<string, Schema>;
  oneOf?: Schema[];
  anyOf?: Schema[];
};

function load(name: string): Schema {
  return JSON.parse(fs.readFileSync(path.join(schemasDir, `${name}.schema.json`), 'utf8')) as Schema;
}

/** Every property path of a schema, `$ref`s (local `#/$defs/x` and other schema files) and oneOf branches followed. */
function schemaPaths(root: Schema, node: Schema = root, prefix = ''): string[] {
  if (node.$ref) {
    const [file, pointer = ''] = node.$ref.split('#');
    const base = file ? load(file.replace(/\.schema\.json$/, '')) : root;
    const def = /^\/\$defs\/(.+)$/.exec(pointer)?.[1];
    return schemaPaths(base, def ? base.$defs![def]! : base, prefix);
  }
  const out: string[] = [];
  for (const branch of [...(node.oneOf ?? []), ...(node.anyOf ?? [])]) out.push(...schemaPaths(root, branch, prefix));
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const p = prefix ? `${prefix}.${key}` : key;
    out.push(p, ...schemaPaths(root, child, p));
  }
  return out;
}

function documentedPaths(lines: string[], heading: string): string[] {
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start === -1) return [];
  const level = heading.split(' ')[0]!;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^#{2,3} /.test(l) && l.split(' ')[0]!.length <= level.length + 1);
  return rest
    .slice(0, end === -1 ? undefined : end)
    .map((l) => /^\| `([A-Za-z0-9_.]+)` \|/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
}

const lines = fs.readFileSync(path.join(packageRoot, 'docs', 'service-contract.md'), 'utf8').split('\n');

for (const [heading, schema] of Object.entries(SECTIONS)) {
  void t.test(`${heading} documents exactly the fields of schemas/${schema}.schema.json`, async (t) => {
    const want = [...new Set(schemaPaths(load(schema)))].sort();
    const documented = documentedPaths(lines, heading);
    t.ok(documented.length > 0, `${heading} has a field table`);
    t.same(
      want.filter((p) => !documented.includes(p)),
      [],
      'every schema field is documented',
    );
    t.same(
      documented.filter((p) => !want.includes(p)),
      [],
      'nothing documented is absent from the schema',
    );
    t.equal(new Set(documented).size, documented.length, 'each field documented once');
  });
}
