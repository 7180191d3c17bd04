import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../../scripts/lib/paths';

// docs/faults.md promises, for each fault, the test that proves it: every row must name a test file that exists
// and a test (or case) name that file really declares, so the table cannot drift from the suite.
const doc = fs.readFileSync(path.join(packageRoot, 'docs', 'faults.md'), 'utf8');
const rows = doc
  .split('\n')
  .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l) && !/^\|\s*Fault\s*\|/.test(l))
  .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));

void t.test('the faults table has a row per fault with a behaviour and a proof', async (t) => {
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
    t.ok(source.includes(`'${name}'`) || source.includes(`"${name}"`) || source.includes(`\`${name}\``), `${file} declares "${name}"`);
  }
});
