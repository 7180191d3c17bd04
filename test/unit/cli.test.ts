import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { commands } from '../../scripts/commands';
import { readManifest } from '../../scripts/commands/manifest';

const bin = path.join(__dirname, '..', '..', 'bin', 'poolgate.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });

t.test('the build wrote a manifest that lists every registered command', async (t) => {
  const manifest = readManifest();
  t.ok(manifest, 'npm run build writes dist/scripts/commands/manifest.json');
  t.same(
    manifest!.map((e) => e.name),
    commands.map((c) => c.name),
  );
  for (const e of manifest!) t.ok(e.describe.length > 10, `${e.name} has a description`);
});

t.test('poolgate --help lists every command, from the manifest', async (t) => {
  const r = run('--help');
  t.equal(r.status, 0, r.stderr);
  for (const c of commands) t.match(r.stdout, new RegExp(`poolgate ${c.name}\\b`), c.name);
});

t.test("a command's own --help shows its options (the named command is loaded in full)", async (t) => {
  const r = run('preflight', '--help');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /--advice-fail-on/);
  t.match(r.stdout, /Examples:/);
});

t.test('an unknown command is bad input (exit 2) and names the commands', async (t) => {
  const r = run('prefligt');
  t.equal(r.status, 2);
  t.match(r.stderr, /Did you mean preflight/);
});
