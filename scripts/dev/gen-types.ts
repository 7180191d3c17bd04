import fs from 'node:fs';
import path from 'node:path';
import standaloneCode from 'ajv/dist/standalone';
import { compile, compileFromFile, type JSONSchema } from 'json-schema-to-typescript';
import { packageRoot, schemasDir } from '../lib/paths';
import { newAjv } from '../lib/schema';

/**
 * Generates `scripts/types/<name>.ts` from `schemas/<name>.schema.json`, and the agent's copies of the contract
 * (`agent/generated/`: the service documents' types and the pool config's validator). The schemas are the source
 * of truth; CI regenerates and fails on any diff (`npm run types:check`), so hand edits cannot survive.
 *
 * In `scripts/types` each type is declared once, in the file of the schema that defines it: a `$ref` to another
 * schema file becomes an import of that file's type (json-schema-to-typescript alone would inline a copy into every
 * file that refers to it). Every `$defs` entry of every schema is exported, named by its `title` or else its key in
 * PascalCase, so the name an importer uses is the name the defining file declares.
 *
 * The agent gets self-contained copies (references inlined), not imports, because it must build and ship without
 * the rest of the repo.
 */
const AGENT_TYPES = ['pool-config', 'service-health', 'service-metrics', 'service-pool-config'];
const AGENT_DIR = path.join(packageRoot, 'agent', 'generated');

type Node = Record<string, unknown>;

const pascal = (key: string): string =>
  key
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

const moduleOf = (file: string): string => file.replace(/\.schema\.json$/, '');

/** Give every `$defs` entry a title (in place), so it is emitted under a predictable name. */
function titleDefs(schema: Node): void {
  const defs = (schema.$defs ?? {}) as Record<string, Node>;
  for (const [key, def] of Object.entries(defs)) if (typeof def.title !== 'string') def.title = pascal(key);
}

/**
 * The TypeScript expression for a reference into another schema file: its root type, one of its `$defs`, or a
 * property path below its root (an indexed access on the root type).
 */
function typeOfRef(ref: string, schemas: Map<string, Node>): { module: string; name: string; expr: string } {
  const [file, pointer = ''] = ref.split('#');
  const target = schemas.get(file!);
  if (!target) throw new Error(`$ref ${ref}: no schema ${file} in schemas/`);
  const root = target.title as string;
  const parts = pointer.split('/').filter(Boolean);
  if (parts.length === 0) return { module: moduleOf(file!), name: root, expr: root };
  if (parts[0] === '$defs' && parts.length === 2) {
    const def = (target.$defs as Record<string, Node> | undefined)?.[parts[1]!];
    if (!def) throw new Error(`$ref ${ref}: ${file} has no $defs/${parts[1]}`);
    const name = def.title as string;
    return { module: moduleOf(file!), name, expr: name };
  }
  let expr = root;
  for (let i = 0; i < parts.length; i += 2) {
    if (parts[i] !== 'properties' || parts[i + 1] === undefined)
      throw new Error(`$ref ${ref}: only #/$defs/<name> and #/properties/<a>/properties/<b> paths are supported`);
    expr = `NonNullable<${expr}['${parts[i + 1]}']>`;
  }
  return { module: moduleOf(file!), name: root, expr };
}

/**
 * Replace every reference to one of this schema's `$defs` or to another schema file by a `tsType` naming the type;
 * records the imports the latter need.
 */
function refsToNames(
  node: unknown,
  ownDefs: Record<string, Node>,
  schemas: Map<string, Node>,
  imports: Map<string, Set<string>>,
): void {
  if (Array.isArray(node)) {
    for (const item of node) refsToNames(item, ownDefs, schemas, imports);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Node;
  const ref = n.$ref;
  // A local `#/$defs/x` is named too: with a sibling keyword (a description) the generator would otherwise
  // declare a numbered alias (Count1, Count2 ...) for every use.
  const local = typeof ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(ref) : null;
  if (local && ownDefs[local[1]!]) {
    delete n.$ref;
    n.tsType = ownDefs[local[1]!]!.title as string;
    return;
  }
  if (typeof ref === 'string' && !ref.startsWith('#')) {
    const t = typeOfRef(ref, schemas);
    if (!imports.has(t.module)) imports.set(t.module, new Set());
    imports.get(t.module)!.add(t.name);
    delete n.$ref;
    n.tsType = t.expr;
    return;
  }
  for (const value of Object.values(n)) refsToNames(value, ownDefs, schemas, imports);
}

/** `scripts/types/<name>.ts` of every schema: each type once, references imported from their own file. */
async function scriptTypesOf(files: string[]): Promise<Map<string, string>> {
  const schemas = new Map<string, Node>();
  for (const file of files) {
    const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, file), 'utf8')) as Node;
    titleDefs(schema);
    schemas.set(file, schema);
  }
  const out = new Map<string, string>();
  for (const file of files) {
    const schema = structuredClone(schemas.get(file)!);
    const imports = new Map<string, Set<string>>();
    refsToNames(schema, (schema.$defs ?? {}) as Record<string, Node>, schemas, imports);
    const importLines = [...imports.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([mod, names]) => `import type { ${[...names].sort().join(', ')} } from './${mod}';`);
    const banner = [
      `/* Generated from schemas/${file} by scripts/dev/gen-types.ts. Do not edit: change the schema. */`,
      ...(importLines.length ? ['', ...importLines] : []),
    ].join('\n');
    const ts = await compile(schema as JSONSchema, schema.title as string, {
      cwd: schemasDir,
      bannerComment: banner,
      additionalProperties: false,
      declareExternallyReferenced: true,
      unreachableDefinitions: true,
      format: true,
      style: { singleQuote: true, printWidth: 120, bracketSpacing: true },
    });
    out.set(`${moduleOf(file)}.ts`, ts);
  }
  return out;
}

/** An agent copy: the schema's types with every reference inlined, so the file stands alone. */
async function agentTypesOf(file: string): Promise<string> {
  return compileFromFile(path.join(schemasDir, file), {
    cwd: schemasDir,
    bannerComment: `/* Generated from schemas/${file} by scripts/dev/gen-types.ts. Do not edit: change the schema. */`,
    additionalProperties: false,
    declareExternallyReferenced: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

/** Writes every `<name>.ts` of `files` into `outDir` and removes the `.ts` files that no longer have a schema. */
function writeAll(outDir: string, files: Map<string, string>): void {
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, text] of files) fs.writeFileSync(path.join(outDir, name), text);
  for (const stale of fs.readdirSync(outDir).filter((f) => f.endsWith('.ts') && !files.has(f))) {
    fs.unlinkSync(path.join(outDir, stale));
  }
}

/**
 * The pool config's validator as standalone code (no ajv at run time), with the same options as the CLI's
 * validators, so the agent refuses exactly the files `poolgate config check` refuses.
 */
async function poolConfigValidator(): Promise<string> {
  const ajv = newAjv({ validateSchema: true, source: true });
  ajv.opts.code.esm = true;
  const file = 'pool-config.schema.json';
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(schemasDir, file), 'utf8')), file);
  const code = standaloneCode(ajv, { validatePoolConfig: file });
  const text = [
    `/* Generated from schemas/${file} by scripts/dev/gen-types.ts. Do not edit: change the schema. */`,
    '/* eslint-disable */',
    '// @ts-nocheck -- ajv standalone output',
    code,
  ].join('\n');
  // Loaded here, after every type file: json-schema-to-typescript formats with the prettier it finds first.
  const { format } = await import('prettier');
  return format(text, { parser: 'typescript', singleQuote: true, printWidth: 120 });
}

async function main(): Promise<void> {
  const files = fs
    .readdirSync(schemasDir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort();
  const scriptTypes = await scriptTypesOf(files);
  const agentFiles = new Map<string, string>();
  for (const name of AGENT_TYPES) agentFiles.set(`${name}.ts`, await agentTypesOf(`${name}.schema.json`));
  agentFiles.set('pool-config-validator.ts', await poolConfigValidator());
  writeAll(path.join(packageRoot, 'scripts', 'types'), scriptTypes);
  writeAll(AGENT_DIR, agentFiles);
  process.stdout.write(
    `generated ${scriptTypes.size} type files in scripts/types, ${agentFiles.size} in agent/generated\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
