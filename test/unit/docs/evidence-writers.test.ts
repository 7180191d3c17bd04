import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../../scripts/lib/paths';

// No partial evidence file after a crash: poolgate writes whole files only through writeFileAtomic (temp file,
// fsync, rename), directly or via EvidenceDir; the JSONL logs are append-only (a crash can cut only the last line,
// which readers skip). Ansible writes evidence only with modules that write a temp file and rename it
// (copy, template, lineinfile all end in atomic_move), never by shell redirection.
function walk(dir: string, ext: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    return d.isDirectory() ? walk(full, ext) : ext.test(d.name) ? [full] : [];
  });
}

// Files allowed to write raw: the atomic writer itself, the append-only logs, the benchmarks and the build-time
// command manifest for --help (neither is evidence).
const RAW_ALLOWED = new Set(['scripts/lib/atomic-write.ts', 'scripts/lib/evidence.ts', 'scripts/commands/manifest.ts']);
const NOT_EVIDENCE = /^scripts\/(bench|dev)\//;

void t.test('every evidence writer is atomic or append-only', async (t) => {
  const sources = walk(path.join(packageRoot, 'scripts'), /\.ts$/)
    .map((f) => path.relative(packageRoot, f))
    .filter((f) => !NOT_EVIDENCE.test(f));
  t.ok(sources.length > 30, `${sources.length} source files checked`);
  for (const f of sources) {
    const text = fs.readFileSync(path.join(packageRoot, f), 'utf8');
    if (RAW_ALLOWED.has(f)) continue;
    t.notMatch(
      text,
      /\b(writeFileSync|createWriteStream|fsp?\.writeFile)\s*\(/,
      `${f} writes whole files only through writeFileAtomic/EvidenceDir`,
    );
    // Appending is for logs: only an empty append (creating the file) is allowed outside EvidenceDir.appendLine.
    for (const line of text.split('\n').filter((l) => l.includes('appendFileSync(')))
      t.match(line, /,\s*''\);\s*$/, `${f}: appendFileSync only creates an empty log`);
  }

  const yaml = [
    ...walk(path.join(packageRoot, 'playbooks'), /\.ya?ml$/),
    ...walk(path.join(packageRoot, 'roles'), /\.ya?ml$/),
  ];
  for (const f of yaml) {
    const text = fs.readFileSync(f, 'utf8');
    t.notMatch(
      text,
      /ansible\.builtin\.(shell|raw)\b/,
      `${path.relative(packageRoot, f)} uses no shell/raw (no redirection into a file)`,
    );
  }
});
