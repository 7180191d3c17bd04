import fs from 'node:fs';
import path from 'node:path';
import standaloneCode from 'ajv/dist/standalone';
import { schemasDir } from '../lib/paths';
import { newAjv } from '../lib/schema';
import { PRECOMPILED_DIR, STAMP, schemasHash } from '../lib/schema-precompiled';

/**
 * Build step: every schemas/*.schema.json as a standalone CommonJS validator in dist/schemas-compiled/<name>.js,
 * with the same ajv options as run-time compiling (strict, allErrors, formats), stamped with the schemas' hash.
 */
function main(): void {
  const ajv = newAjv({ validateSchema: true, source: true });
  const files = fs
    .readdirSync(schemasDir)
    .filter((f) => f.endsWith('.schema.json'))
    .sort();
  for (const f of files) {
    const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, f), 'utf8')) as { $id?: string };
    ajv.addSchema(schema, schema.$id ?? f);
  }
  fs.rmSync(PRECOMPILED_DIR, { recursive: true, force: true });
  fs.mkdirSync(PRECOMPILED_DIR, { recursive: true });
  const hash = schemasHash();
  for (const f of files) {
    const fn = ajv.getSchema(f);
    if (!fn) throw new Error(`schema ${f} did not compile`);
    fs.writeFileSync(path.join(PRECOMPILED_DIR, `${f.replace(/\.schema\.json$/, '')}.js`), standaloneCode(ajv, fn));
  }
  fs.writeFileSync(path.join(PRECOMPILED_DIR, STAMP), `${hash}\n`);
  process.stderr.write(`compile-schemas: ${files.length} validators in ${PRECOMPILED_DIR}\n`);
}

main();
