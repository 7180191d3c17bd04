import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020';
import { packageRoot, schemasDir } from './paths';

/**
 * Validators compiled to JavaScript at build time (`npm run build` → scripts/dev/compile-schemas), so a command
 * does not spend most of its start-up generating validator code (ajv's compile was ~2/3 of `poolgate analyze`'s
 * start-up, and the rollout runs a poolgate command in ~20 of its tasks). Used only while `schemas/` is exactly
 * what they were built from (one hash over every schema file); otherwise schema.ts compiles as before.
 */
export const PRECOMPILED_DIR = path.join(packageRoot, 'dist', 'schemas-compiled');
/** Written by scripts/dev/compile-schemas.ts beside the validators: the hash of the schemas they were built from. */
export const STAMP = 'schemas.sha256';

/** One hash over every schema file's name and text. */
export function schemasHash(dir = schemasDir): string {
  const h = crypto.createHash('sha256');
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.schema.json'))
    .sort())
    h.update(`${f}\0`)
      .update(fs.readFileSync(path.join(dir, f)))
      .update('\0');
  return h.digest('hex');
}

let fresh: boolean | undefined;

/** The build's validator for `name`, or null (not built, or built from other schemas). */
export function precompiled(name: string): ValidateFunction | null {
  if (fresh === undefined) {
    try {
      fresh = fs.readFileSync(path.join(PRECOMPILED_DIR, STAMP), 'utf8').trim() === schemasHash();
    } catch {
      fresh = false;
    }
  }
  const file = path.join(PRECOMPILED_DIR, `${name}.js`);
  if (!fresh || !fs.existsSync(file)) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated CommonJS, located at run time
  return require(file) as ValidateFunction;
}
