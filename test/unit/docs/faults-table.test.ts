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
