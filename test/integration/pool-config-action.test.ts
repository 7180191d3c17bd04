import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readEvents as readRunEvents, type RolloutEvent } from '../../scripts/lib/run-evidence';
import { labctl, readPools, restoreBaseline } from '../e2e/rollout-helpers';
import { useLab } from '../helpers/lab';
import { ADHOC_TARGET as TARGET, adhoc, adhocArgs } from '../helpers/pool-config-adhoc';

/**
 * poolgate.rollout.pool_config (the rollout's one task per host) run ad hoc on one lab instance, the way the role
 * runs it: the real file, the real process under supervisord, the real validator. What the fleet-wide e2e runs
 * cannot show one by one: check mode touches nothing, a file the validator rejects is never installed, a restore
 * reads the backup back, and a failure names its stage and rollback trigger.
 */
t.setTimeout(600_000);

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

const readEvents = (dir: string): RolloutEvent[] => {
  const read = readRunEvents(dir);
  if (read.problems.length) throw new Error(`events.jsonl does not match its schema: ${read.problems.join('; ')}`);
  return read.values;
};

void t.test('poolgate.rollout.pool_config on standby-1', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const inst = lab.instances.find((i) => i.name === 'standby-1')!;
  const folder = path.dirname(inst.configPath);
  const state = async (): Promise<{ sha: string; pid: string; generation: number }> => ({
    sha: sha256(inst.configPath),
    pid: await labctl('pid', inst.name),
    generation: (await readPools(lab)).get(inst.name)!.generation,
  });
  const files = (): string[] => fs.readdirSync(folder).sort();
  const args = (evidenceDir: string, runId: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    adhocArgs(inst, evidenceDir, runId, extra);

  await t.test('check mode with --diff shows the change and leaves file, process and pool as they were', async (t) => {
    const ev = t.testdir();
    const before = await state();
    const listed = files();
    const r = await adhoc(inst.name, args(ev, `it-check-${Date.now()}`), ['--check', '--diff']);
    t.equal(r.code, 0, 'exit 0', { out: r.raw.slice(-3000) });
    t.equal(r.result.changed, true, 'reports that it would change the file');
    const diff = r.result.diff as { before: string; after: string } | undefined;
    t.match(diff?.before, /"max": 50/, 'the diff shows the file in force (max 50)');
    t.match(diff?.after, /"max": 200/, 'and the file it would write (max 200)');
    t.same(await state(), before, 'same file bytes, same pid, same pool generation');
    t.same(files(), listed, 'no backup and no temporary file was written');
    t.same(
      readEvents(ev).map((e) => e.action),
      ['would_back_up', 'would_render'],
      'events.jsonl records what a real run would do',
    );
  });

  await t.test('a rendered file the validator rejects is never installed', async (t) => {
    const ev = t.testdir();
    const before = await state();
    const listed = files();
    // min above max: valid JSON with the five keys, which only `poolgate config check` refuses.
    const r = await adhoc(inst.name, args(ev, `it-invalid-${Date.now()}`, { values: { ...TARGET, min: 300 } }));
    t.not(r.code, 0, 'ansible exits non-zero');
    t.equal(r.result.failed, true, 'the task failed');
    t.match(
      r.result.msg,
      /^standby-1: .*failed validation .*config check/,
      'the message names the host and the validator',
    );
    t.match(r.result, { stage: 'prepare', trigger: 'apply_failed' }, 'it names the stage and the rollback trigger');
    t.same(await state(), before, 'the file in force, the process and the pool are unchanged');
    // Validated before the backup is taken: a rollback must not take this host for a changed one.
    t.same(files(), listed, 'no backup and no temporary file is left beside the config');
    t.notOk(
      readEvents(ev).some((e) => e.action === 'applying' || e.action === 'verified'),
      'nothing was applied',
    );
  });

  await t.test('a change then a restore: the backup comes back and is read back in force', async (t) => {
    const ev = t.testdir();
    const runId = `it-restore-${Date.now()}`;
    const before = await state();
    const changed = await adhoc(inst.name, args(ev, runId));
    t.equal(changed.code, 0, 'the change passes', { out: changed.raw.slice(-3000) });
    t.match(changed.result.readback, { pool: { max: 200, min: 20 } }, 'the new pool is read back in force');
    t.ok(fs.existsSync(`${inst.configPath}.bak-${runId}`), 'the run backed the old file up');
    t.equal(sha256(`${inst.configPath}.bak-${runId}`), before.sha, 'the backup holds the old bytes');

    const restored = await adhoc(inst.name, args(ev, runId, { state: 'restored' }));
    t.equal(restored.code, 0, 'the restore passes', { out: restored.raw.slice(-3000) });
    t.equal(restored.result.backup_found, true, 'it restored from the backup');
    t.equal(sha256(inst.configPath), before.sha, 'the file is the old one again, byte for byte');
    t.match(
      restored.result.readback,
      { sha256: before.sha, pool: { max: 50, min: 10 } },
      "the old file's sha256 and pool are read back in force",
    );
    t.equal(await labctl('pid', inst.name), before.pid, 'both steps were hot reloads (same pid)');
    const actions = readEvents(ev).map((e) => e.action);
    t.same(
      actions,
      ['backed_up', 'rendered', 'applying', 'verified', 'applying', 'verified'],
      'events.jsonl records each stage as it ended',
    );
  });

  await t.test('a config that is never in force fails the readback stage with its trigger', async (t) => {
    const ev = t.testdir();
    // A pid file naming a process that is not the instance: the SIGHUP lands elsewhere, the file never loads.
    const decoy = spawn('sleep', ['60'], { stdio: 'ignore' });
    t.teardown(() => decoy.kill());
    const pidfile = path.join(t.testdir(), 'decoy.pid');
    fs.writeFileSync(pidfile, `${decoy.pid}\n`);
    const r = await adhoc(
      inst.name,
      args(ev, `it-readback-${Date.now()}`, { service_manager: 'pidfile', pidfile, wait_s: 2 }),
    );
    t.not(r.code, 0, 'ansible exits non-zero');
    t.match(
      r.result,
      { failed: true, stage: 'readback', trigger: 'config_not_in_force' },
      'it names the readback stage and its trigger',
    );
    t.match(
      r.result.msg,
      /^standby-1 does not run the config written to .*pool\.json: in force .*"max": 50/,
      'the message names the host once and says what is in force instead',
    );
    t.same(
      readEvents(ev).map((e) => e.action),
      ['backed_up', 'rendered', 'applying'],
      'the trail ends at the stage that failed',
    );
  });

  await t.test('an apply that cannot start fails the apply stage, after the trail of what the host did', async (t) => {
    await restoreBaseline(lab);
    const ev = t.testdir();
    const pidfile = path.join(t.testdir(), 'missing.pid');
    const runId = `it-apply-${Date.now()}`;
    const r = await adhoc(inst.name, args(ev, runId, { service_manager: 'pidfile', pidfile }));
    t.not(r.code, 0, 'ansible exits non-zero');
    t.match(
      r.result,
      { failed: true, stage: 'apply', trigger: 'apply_failed' },
      "the failure is the apply stage's, not the whole sequence's",
    );
    t.match(
      r.result.msg,
      /^standby-1: the pid file .*missing\.pid cannot be read/,
      'the message names the host and the pid file',
    );
    t.same(
      readEvents(ev).map((e) => e.action),
      ['backed_up', 'rendered', 'applying'],
      'the steps done on the host are recorded before the failure',
    );
    t.ok(fs.existsSync(`${inst.configPath}.bak-${runId}`), 'and the backup the rollback needs is there');
  });
});
