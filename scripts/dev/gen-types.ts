import fs from 'node:fs';
import path from 'node:path';
import { compileFromFile } from 'json-schema-to-typescript';
import { packageRoot, schemasDir } from '../lib/paths';

/**
 * Generates `scripts/types/<name>.ts` from `schemas/<name>.schema.json`. The schemas are the source of truth;
 * CI regenerates and fails on any diff (`npm run types:check`), so hand edits to the types cannot survive.
 */
async function main(): Promise<void> {
  const outDir = path.join(packageRoot, 'scripts', 'types');
  fs.mkdirSync(outDir, { recursive: true });
  const files = fs
    .readdirSync(schemasDir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort();
  const wanted = new Set<string>();
  for (const file of files) {
    const name = file.replace(/\.schema\.json$/, '');
    const ts = await compileFromFile(path.join(schemasDir, file), {
      cwd: schemasDir,
      bannerComment: `/* Generated from schemas/${file} by scripts/dev/gen-types.ts. Do not edit: change the schema. */`,
      additionalProperties: false,
      declareExternallyReferenced: true,
      format: true,
      style: { singleQuote: true, printWidth: 120 },
    });
    const out = `${name}.ts`;
    wanted.add(out);
    fs.writeFileSync(path.join(outDir, out), ts);
  }
  for (const stale of fs.readdirSync(outDir).filter((f) => f.endsWith('.ts') && !wanted.has(f))) {
    fs.unlinkSync(path.join(outDir, stale));
  }
  process.stdout.write(`generated ${wanted.size} type files in scripts/types\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
