import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../../scripts/lib/paths';

// docs/faults.md promises, for each fault, the test that proves it: every row must name a test file that exists
// and a test (or case) name that file really declares, so the table cannot drift from the suite.
const lines = fs.readFileSync(path.join(packageRoot, 'docs', 'faults.md'), 'utf8').split('\n');
// The table that starts with the "| Fault | Behaviour | Proven by |" header, up to its last row.
const header = lines.findIndex((l) => /^\|\s*Fault\s*\|\s*Behaviour\s*\|\s*Proven by\s*\|/.test(l));
const end = lines.findIndex((l, i) => i > header && !l.startsWith('|'));
const rows = lines.slice(header + 2, end === -1 ? undefined : end).map((l) =>
  l
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim()),
);

void t.test('the faults table has a row per fault with a behaviour and a proof', async (t) => {
  t.ok(header >= 0, 'docs/faults.md has the fault table');
  t.ok(rows.length >= 20, `${rows.length} rows`);
  for (const [fault, behaviour, proof] of rows) {
    t.ok(fault && behaviour && proof, `row "${fault}" has three cells`);
  }
});

void t.test('every test the table names exists', async (t) => {
  for (const [fault, , proof] of rows) {
    const file = /`(test\/[^`]+\.test\.ts)`/.exec(proof ?? '')?.[1];
    const name = /"([^"]+)"/.exec(proof ?? '')?.[1];
    t.ok(file && name, `"${fault}" names a test file and a test name`);
    if (!file || !name) continue;
    const full = path.join(packageRoot, file);
    t.ok(fs.existsSync(full), `${file} exists`);
    if (!fs.existsSync(full)) continue;
    const source = fs.readFileSync(full, 'utf8');
    // The name as the test declares it: t.test('…') or a case's name: '…'.
    t.ok(
      source.includes(`'${name}'`) || source.includes(`"${name}"`) || source.includes(`\`${name}\``),
      `${file} declares "${name}"`,
    );
  }
});

/** Every Markdown file of the repository (README.md, docs/, playbooks/, the lab's and the collection's READMEs). */
function markdownFiles(dir: string): string[] {
  const skip = new Set(['node_modules', 'dist', '.git', '.tap', 'evidence', '.run', 'bench']);
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (skip.has(d.name)) return [];
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return markdownFiles(full);
    return d.name.endsWith('.md') ? [full] : [];
  });
}

// Folders the tests write for a person to look at (git-ignored): named by the tests that fill them.
const OUTPUTS = fs
  .readFileSync(path.join(packageRoot, '.gitignore'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('test/'))
  .map((l) => l.replace(/\/$/, ''));

/** Whether a path named in a document exists: a file, a folder, or a `*` pattern matching at least one file. */
function named(ref: string): boolean {
  if (OUTPUTS.includes(ref)) return true;
  if (!ref.includes('*')) return fs.existsSync(path.join(packageRoot, ref));
  const dir = ref.slice(0, ref.lastIndexOf('/', ref.indexOf('*')));
  const re = new RegExp(
    `^${ref
      .slice(dir.length + 1)
      .replace(/\./g, '\\.')
      .replace(/\*/g, '[^/]*')}$`,
  );
  const full = path.join(packageRoot, dir);
  return fs.existsSync(full) && fs.readdirSync(full).some((f) => re.test(f));
}

// The README and docs/faults.md once cited a test file that did not exist (issue 16): every test path named in any
// Markdown file, or in a test's own comments and messages, must be there.
void t.test('every test file or folder a document or a test names exists', async (t) => {
  const sources = [
    ...markdownFiles(packageRoot),
    ...fs
      .readdirSync(path.join(packageRoot, 'test'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(packageRoot, 'test', f)),
  ];
  t.ok(sources.includes(path.join(packageRoot, 'README.md')), 'the README is read');
  t.ok(sources.includes(path.join(packageRoot, 'docs', 'faults.md')), 'docs/faults.md is read');
  let refs = 0;
  for (const file of sources) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?<![\w/.-])test\/[\w./*-]*[\w*]/g)) {
      refs += 1;
      t.ok(named(m[0]), `${path.relative(packageRoot, file)} names ${m[0]}, which exists`);
    }
  }
  t.ok(refs > 30, `${refs} test paths checked`);
});
