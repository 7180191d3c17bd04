import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { assertLbReady, useLab } from '../helpers/lab';
import { events, evidenceDirOf, restoreBaseline, runPlaybook, runVars } from '../e2e/rollout-helpers';
import {
  BUDGET_OLD,
  assertEvidence,
  assertTraffic,
  assertUntouched,
  fleetState,
  poolgate,
  said,
  tail,
  watch,
} from './fault-helpers';

t.setTimeout(900_000);

/** Every file under a folder, relative: what a refused command must have left as it was. */
const filesUnder = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

// Bad command-line input (issue 16 item 8 and its siblings, found by trying every command with a missing, empty
// or wrong input): exit 2, a message naming the input, and nothing written. No lab needed.
void t.test('bad command-line input is refused naming the input, and writes nothing', async (t) => {
  const dir = t.testdir({
    empty: {},
    foreign: { 'notes.txt': 'not evidence' },
    run: { 'events.jsonl': '{"at":"2026-02-01T02:00:00.000Z","host":"localhost","action":"run_started"}\n' },
  });
  const at = (p: string): string => path.join(dir, p);
  const cases: Array<{ argv: string[]; says: RegExp }> = [
    {
      argv: ['lb', 'wait', '--socket', at('missing.sock'), '--backend', 'app', '--until', 'up'],
      says: /Missing required argument: server/,
    },
    {
      argv: ['lb', 'wait', '--socket', at('missing.sock'), '--backend', 'app', '--server', 'a', '--until', 'soon'],
      says: /Argument: until, Given: "soon"/,
    },
    { argv: ['report-html', '--evidence-dir', at('empty')], says: /--evidence-dir .*empty holds no evidence of a run/ },
    {
      argv: ['report-html', '--evidence-dir', at('foreign')],
      says: /--evidence-dir .*foreign holds no evidence of a run/,
    },
    { argv: ['report', '--evidence-dir', at('empty')], says: /--evidence-dir .*empty holds no evidence of a run/ },
    { argv: ['report', '--evidence-dir', at('nowhere')], says: /--evidence-dir .*nowhere does not exist/ },
    {
      argv: ['notify', '--event', 'start', '--evidence-dir', at('empty')],
      says: /--evidence-dir .*empty holds no evidence/,
    },
    {
      argv: ['notify', '--event', 'sealed', '--evidence-dir', at('run')],
      says: /is not sealed \(no manifest\.sha256\)/,
    },
    {
      argv: ['incident', '--evidence-dir', at('empty'), '--reason', 'x', '--trigger', 'verify_failed'],
      says: /--evidence-dir .*empty holds no evidence/,
    },
    { argv: ['evidence', 'seal', at('empty')], says: /evidence folder .*empty holds no evidence of a run/ },
    { argv: ['evidence', 'seal', at('run'), '--sign-key', at('no-key')], says: /--sign-key .*no-key is not readable/ },
    { argv: ['evidence', 'verify', at('run'), '--allowed-signers', at('nobody')], says: /no manifest\.sha256/ },
    { argv: ['monitor', '--target', 'a=http://127.0.0.1:9', '--duration', '10'], says: /--duration "10" needs a unit/ },
    { argv: ['loadtest', '--url', 'http://127.0.0.1:9', '--requests', '5', '--duration', '10'], says: /duration/ },
    {
      argv: ['advise', '--target', 'x=http://127.0.0.1:9', '--window', '0s'],
      says: /--window "0s" must be longer than zero/,
    },
  ];
  for (const c of cases) {
    const before = filesUnder(dir);
    const r = await poolgate(c.argv);
    t.equal(r.code, 2, `poolgate ${c.argv.slice(0, 2).join(' ')} …: exit 2 (${r.stderr.trim().split('\n')[0]})`);
    t.match(r.stderr, c.says, `it names the input: ${c.says}`);
    t.notMatch(r.stderr, /E_UNEXPECTED/, 'no crash');
    t.same(filesUnder(dir), before, 'nothing written');
  }
});

// Invalid inputs in the change itself (pool_scaling_to): the plan check refuses the first five before anything
// is measured, the preflight capacity gate refuses the last. Each run exits non-zero naming the field, touches no
// host, and leaves a sealed evidence folder that says why; traffic through HAProxy never notices.
const base = {
  min: 20,
  max: 200,
  idleTimeoutMillis: 30000,
  connectionTimeoutMillis: 2000,
  acquireTimeoutMillis: 10000,
};
const cases: Array<{ name: string; to: Record<string, unknown>; says: RegExp }> = [
  { name: 'min > max', to: { ...base, min: 300 }, says: /change\.to\.min 300 is greater than to\.max 200/ },
  { name: 'max 0', to: { ...base, max: 0, min: 0 }, says: /\/change\/to\/max: must be >= 1/ },
  { name: 'max negative', to: { ...base, max: -5, min: 0 }, says: /\/change\/to\/max: must be >= 1/ },
  { name: 'max fractional', to: { ...base, max: 150.5 }, says: /\/change\/to\/max: must be integer/ },
  { name: 'an unknown key', to: { ...base, maxConnections: 300 }, says: /\/change\/to: unknown key "maxConnections"/ },
  {
    name: 'a timeout of 0',
    to: { ...base, acquireTimeoutMillis: 0 },
    says: /\/change\/to\/acquireTimeoutMillis: must be >= 1/,
  },
  {
    name: 'a target beyond the connection capacity',
    to: { ...base, max: 5000 },
    says: /poolgate preflight gate failed:.*needs \d+ of \d+ usable slots/,
  },
];

void t.test('invalid inputs are refused before any change, naming the field', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const before = await fleetState(lab);
  const stop = watch(lab);
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await stop();
  });

  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const runId = `fault-input-${c.name.replace(/\W+/g, '-')}-${Date.now()}`;
      const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_to: c.to }));
      t.not(run.code, 0, 'the playbook exits non-zero', { out: tail(run) });
      await assertLbReady(t, lab, 'after the refused run');
      t.match(run.stdout, /REFUSED before any change/, 'it says it refused before any change');
      t.match(said(run), c.says, 'the message names the field and the rule');
      t.notMatch(run.stdout, /TASK \[pool_config/, 'no host task ran');
      const ev = events(evidenceDirOf(runId));
      t.match(
        ev.at(-1),
        { phase: 'done', action: 'refused', reason: c.says },
        'events.jsonl ends with the refusal and its reason',
      );
      t.ok(fs.existsSync(`${evidenceDirOf(runId)}/plan.json`), 'the plan that was refused is kept');
      await assertEvidence(t, runId, false);
      await assertUntouched(t, lab, before);
    });
  }
  stopped = true;
  await assertTraffic(t, lab, await stop(), BUDGET_OLD);
});
