import fs from 'node:fs';
import path from 'node:path';
import standaloneCode from 'ajv/dist/standalone';
import { compileFromFile } from 'json-schema-to-typescript';
import { packageRoot, schemasDir } from '../lib/paths';
import { newAjv } from '../lib/schema';

/**
 * Generates `scripts/types/<name>.ts` from `schemas/<name>.schema.json`, and the agent's copies of the contract
 * (`agent/generated/`: the service documents' types and the pool config's validator). The schemas are the source
 * of truth; CI regenerates and fails on any diff (`npm run types:check`), so hand edits cannot survive. The agent
 * gets generated copies, not imports, because it must build and ship without the rest of the repo.
 */
const AGENT_TYPES = ['pool-config', 'service-health', 'service-metrics', 'service-pool-config'];
const AGENT_DIR = path.join(packageRoot, 'agent', 'generated');

async function typesOf(file: string): Promise<string> {
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
  const scriptTypes = new Map<string, string>();
  const agentFiles = new Map<string, string>();
  for (const file of files) {
    const name = file.replace(/\.schema\.json$/, '');
    const ts = await typesOf(file);
    scriptTypes.set(`${name}.ts`, ts);
    if (AGENT_TYPES.includes(name)) agentFiles.set(`${name}.ts`, ts);
  }
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
