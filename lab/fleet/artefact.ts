import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';

/**
 * The service's artefact: what an app host gets, and nothing else. Traced from the compiled entry point: every
 * file of the checkout it requires (transitively), every npm package it requires (whole, with the packages they
 * depend on), and the data the schema validator reads at run time. Whatever the service is built on, the trace
 * follows it; poolgate's CLI is never in it unless the service itself requires it, which build refuses.
 */
export interface Artefact {
  /** paths relative to the checkout, sorted */
  files: string[];
  /**
   * Files written rather than copied: a package.json naming the package and its exports, when the service imports
   * its own package by name (e.g. `poolgate/agent`), so Node resolves that on the host too.
   */
  generated: Record<string, string>;
  /** sha256 over every file's path and bytes */
  sha256: string;
}

/** Read at run time by the schema validator (scripts/lib/schema.ts), not required: the trace cannot see them. */
const RUNTIME_DATA = ['schemas', path.join('dist', 'schemas-compiled')];

/** What must never reach a managed host (issue 14: nothing of poolgate's CLI on the fleet). */
export const CLI_FILES = ['bin/poolgate.js', 'dist/scripts/cli.js', 'dist/scripts/commands'];

const REQUIRE = /\brequire\(\s*(["'])([^"'\n]+)\1\s*\)/g;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** The folder of the npm package a resolved file belongs to: node_modules/<name> or node_modules/@scope/<name>. */
function packageDirOf(file: string): string {
  const parts = file.split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  return parts.slice(0, i + (parts[i + 1]!.startsWith('@') ? 3 : 2)).join(path.sep);
}

/** A package and, transitively, the installed packages its package.json depends on (optional ones if present). */
function addPackage(dir: string, packages: Set<string>): void {
  if (packages.has(dir)) return;
  packages.add(dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const req = createRequire(path.join(dir, 'package.json'));
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    let manifest: string;
    try {
      manifest = req.resolve(`${name}/package.json`);
    } catch {
      // An optional dependency not installed here, or one whose exports hide package.json: find it by folder.
      const found = lookup(dir, name);
      if (!found) continue;
      manifest = path.join(found, 'package.json');
    }
    addPackage(path.dirname(manifest), packages);
  }
}

function lookup(from: string, name: string): string | undefined {
  for (let d = from; d !== path.dirname(d); d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

/** Every file the entry point needs, relative to `root`. Throws when it would carry the CLI. */
export function traceArtefact(root: string, entry: string): Artefact {
  const own = new Set<string>();
  const packages = new Set<string>();
  let selfReference = false;
  const queue = [path.join(root, entry)];
  for (const data of RUNTIME_DATA) {
    const dir = path.join(root, data);
    if (fs.existsSync(dir)) queue.push(...walk(dir));
  }
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (own.has(file)) continue;
    own.add(file);
    if (!file.endsWith('.js') && !file.endsWith('.cjs')) continue;
    const req = createRequire(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(REQUIRE)) {
      const spec = m[2]!;
      if (isBuiltin(spec)) continue;
      let resolved: string;
      try {
        resolved = req.resolve(spec);
      } catch {
        // A require the code guards (an optional peer such as pg-native): not part of what runs here.
        continue;
      }
      if (resolved.split(path.sep).includes('node_modules')) addPackage(packageDirOf(resolved), packages);
      else {
        if (!spec.startsWith('.') && !path.isAbsolute(spec)) selfReference = true;
        queue.push(resolved);
      }
    }
  }
  for (const dir of packages) for (const f of walk(dir)) own.add(f);
  const files = [...own].map((f) => path.relative(root, f)).sort();
  const outside = files.filter((f) => f.startsWith('..'));
  if (outside.length) throw new Error(`the service requires files outside the checkout: ${outside.join(', ')}`);
  const cli = files.filter((f) => CLI_FILES.some((c) => f === c || f.startsWith(`${c}/`)));
  if (cli.length) throw new Error(`the service's artefact would carry poolgate's CLI: ${cli.join(', ')}`);
  const generated: Record<string, string> = {};
  if (selfReference) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    generated['package.json'] = `${JSON.stringify({ name: pkg.name, private: true, exports: pkg.exports }, null, 2)}\n`;
  }
  const hash = crypto.createHash('sha256');
  for (const f of files) hash.update(`${f}\0`).update(fs.readFileSync(path.join(root, f)));
  for (const [f, text] of Object.entries(generated)) hash.update(`${f}\0`).update(text);
  return { files, generated, sha256: hash.digest('hex') };
}

/** The file holding the artefact's sha256, at the root of an installed artefact. */
export const ARTEFACT_STAMP = '.artefact-sha256';

/** Copies the artefact's files from `root` into `dest` (a fresh folder), root-owned, world-readable. */
export function installArtefact(root: string, artefact: Artefact, dest: string): void {
  fs.rmSync(dest, { recursive: true, force: true });
  for (const f of artefact.files) {
    const target = path.join(dest, f);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.copyFileSync(path.join(root, f), target);
    fs.chmodSync(target, 0o644);
  }
  for (const [f, text] of Object.entries(artefact.generated))
    fs.writeFileSync(path.join(dest, f), text, { mode: 0o644 });
  fs.writeFileSync(path.join(dest, ARTEFACT_STAMP), `${artefact.sha256}\n`, { mode: 0o644 });
}
