import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { LabConfig } from '../../lab/lab-config';
import { packageRoot } from '../../scripts/lib/paths';
import { assertLbReady, lbAdminStates, useLab } from '../helpers/lab';
import {
  configHashes,
  events,
  eventSeen,
  evidenceDirOf,
  type PlaybookRun,
  readPools,
  restoreBaseline,
  runPlaybook,
  runVars,
  waitFor,
} from '../e2e/rollout-helpers';
import {
  assertEvidence,
  assertManualRollback,
  assertPools,
  assertTraffic,
  BUDGET_CHANGE,
  poolgate,
  tail,
  watch,
} from './fault-helpers';

t.setTimeout(1_200_000);

// The control node's run interrupted between hosts (SIGINT as Ctrl-C, SIGTERM as a killed CI job): standby-1 has
// changed and been read back, nothing else has. And the control node lost outright (every process of the run
// SIGKILLed, nothing can clean up) after the standbys changed and the primaries were drained, before any primary. What the run left is recorded: events.jsonl says which hosts
// changed, and each changed host has its <config>.bak-<run-id>. From there (docs/faults.md, playbooks/README.md):
//   roll back:  ansible-playbook playbooks/rollback.yml -e rollback_run_id=<run-id> -e rollback_reason=...
//   or resume:  ansible-playbook playbooks/pool-scaling.yml (a host already at target is verified, not changed).

/**
 * ansible-playbook that the test can signal; resolves when it has exited. `detached`: in a process group of its own,
 * so the whole run (Ansible's workers and the commands they started) can be killed at once.
 */
function startPlaybook(
  extraVars: Record<string, unknown>,
  detached = false,
): { pid: number; done: Promise<PlaybookRun>; output: () => string } {
  const child = spawn(
    'ansible-playbook',
    ['-i', 'inventory/lab', 'playbooks/pool-scaling.yml', '-e', JSON.stringify(extraVars)],
    {
      cwd: packageRoot,
      env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
      timeout: 600_000,
      detached,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<PlaybookRun>((resolve) =>
    child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : -1), stdout, stderr })),
  );
  return { pid: child.pid!, done, output: () => stdout + stderr };
}

/** CPython's report of a KeyboardInterrupt it dropped: one raised inside an at-fork handler (Ansible forks per task). */
const SWALLOWED_INTERRUPT = /Exception ignored in:[^\n]*\n(?:[^\n]*\n){0,6}KeyboardInterrupt/;

/**
 * Ctrl-C as an operator presses it: once, and again only when the run reports it dropped the first. About one
 * SIGINT in 80 lands while ansible-playbook forks a worker; CPython then prints "Exception ignored … KeyboardInterrupt"
 * and the run goes on (docs/faults.md). Resolves with how many were sent.
 */
async function interrupt(run: { pid: number; done: Promise<PlaybookRun>; output: () => string }): Promise<number> {
  let sent = 0;
  let ended = false;
  void run.done.then(() => (ended = true));
  while (!ended && sent < 3) {
    process.kill(run.pid, 'SIGINT');
    sent++;
    const dropped = sent;
    while (!ended && (run.output().match(new RegExp(SWALLOWED_INTERRUPT, 'g')) ?? []).length < dropped) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  await run.done;
  return sent;
}

/** Processes whose command line names the run (ansible-playbook and its forked workers carry the extra vars). */
function processesOf(runId: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(runId)) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** After the interruption: every host on a known config, the changed one without drift, its backup in place. */
async function assertLeftKnown(t: Test, lab: LabConfig, runId: string): Promise<void> {
  const pools = await readPools(lab);
  const hashes = configHashes(lab);
  for (const i of lab.instances) {
    const p = pools.get(i.name)!;
    const want = i.name === 'standby-1' ? [200, 20] : [50, 10];
    t.same([p.pool.max, p.pool.min], want, `${i.name} runs max ${want[0]} / min ${want[1]} (read back)`);
    t.equal(p.sha256, hashes[i.name], `${i.name}'s file is what it runs`);
  }
  t.ok(
    fs.existsSync(`${lab.instances.find((i) => i.name === 'standby-1')!.configPath}.bak-${runId}`),
    'standby-1 has its backup of this run',
  );
  const changed = events(evidenceDirOf(runId))
    .filter((e) => e.action === 'backed_up')
    .map((e) => e.host);
  t.same(changed, ['standby-1'], 'events.jsonl records exactly which host the run changed');
  t.same(processesOf(runId), [], 'no ansible process of the run is left behind');
}

void t.test('the control node interrupted between hosts', async (t) => {
  const lab = await useLab(t);
  t.teardown(() => restoreBaseline(lab));

  await t.test('SIGINT, then rollback.yml from the recorded state', async (t) => {
    await restoreBaseline(lab);
    const runId = `fault-sigint-${Date.now()}`;
    const stop = watch(lab);
    const run = startPlaybook(runVars(lab, runId));
    await eventSeen(runId, (e) => e.host === 'standby-1' && e.action === 'verified', 'standby-1 changed');
    const sent = await interrupt(run);
    if (sent > 1) t.comment(`the run dropped ${sent - 1} SIGINT (CPython's at-fork handler); sent again`);
    const interrupted = await run.done;
    await waitFor(async () => processesOf(runId).length === 0, 30_000, 'the interrupted run to end');
    t.not(interrupted.code, 0, `the interrupted run exits non-zero (${interrupted.code})`, { out: tail(interrupted) });
    t.match(interrupted.stdout + interrupted.stderr, /interrupt/i, 'it says it was interrupted');
    await assertLeftKnown(t, lab, runId);
    await assertLbReady(t, lab, 'after the interruption (no primary was drained yet)');

    const started = Date.now();
    const rb = await runPlaybook('rollback.yml', {
      rollback_run_id: runId,
      rollback_reason: 'control node interrupted (SIGINT) after standby-1',
      // no revert branch in the checkout the suite runs from (rollout-rollback.test.ts proves it on its own repo)
      pool_scaling_prepare_revert: false,
    });
    const rollbackS = (Date.now() - started) / 1000;
    const w = await stop();
    await assertManualRollback(t, lab, rb, runId, ['standby-1']);
    t.comment(`manual rollback took ${rollbackS.toFixed(1)} s`);
    await assertTraffic(t, lab, w, BUDGET_CHANGE);
  });

  await t.test('SIGTERM, then resume with pool-scaling.yml', async (t) => {
    await restoreBaseline(lab);
    const runId = `fault-sigterm-${Date.now()}`;
    const stop = watch(lab);
    const run = startPlaybook(runVars(lab, runId));
    await eventSeen(runId, (e) => e.host === 'standby-1' && e.action === 'verified', 'standby-1 changed');
    process.kill(run.pid, 'SIGTERM');
    const interrupted = await run.done;
    await waitFor(async () => processesOf(runId).length === 0, 30_000, 'the interrupted run to end');
    t.not(interrupted.code, 0, `the interrupted run exits non-zero (${interrupted.code})`, { out: tail(interrupted) });
    await assertLeftKnown(t, lab, runId);
    await assertLbReady(t, lab, 'after the interruption (no primary was drained yet)');

    const resumeId = `${runId}-resume`;
    const resumed = await runPlaybook('pool-scaling.yml', runVars(lab, resumeId));
    const w = await stop();
    t.equal(resumed.code, 0, 'the resumed run completes', { out: tail(resumed) });
    await assertLbReady(t, lab, 'after the resumed run');
    await assertPools(t, lab, 200, 20, 'completed');
    const backedUp = events(evidenceDirOf(resumeId))
      .filter((e) => e.action === 'backed_up')
      .map((e) => e.host);
    t.same(
      backedUp.sort(),
      ['primary-1', 'primary-2', 'standby-2'],
      'the resumed run changed only the hosts not yet at target',
    );
    await assertEvidence(t, resumeId, false);
    t.equal(
      (await poolgate(['evidence', 'verify', evidenceDirOf(runId)])).code === 0,
      false,
      'the interrupted run was never sealed (its folder says so: no manifest)',
    );
    await assertTraffic(t, lab, w, BUDGET_CHANGE);
  });

  await t.test('the control node lost (SIGKILL) after the primaries were drained, then rollback.yml', async (t) => {
    await restoreBaseline(lab);
    const runId = `fault-sigkill-control-${Date.now()}`;
    const stop = watch(lab);
    const run = startPlaybook(runVars(lab, runId), true);
    // Looked for every 50 ms: the next step (primary-1's backup) follows the drain within a play's start-up.
    await eventSeen(runId, (e) => e.host === 'primary-2' && e.action === 'lb_drain', 'both primaries drained', {
      timeoutMs: 400_000,
      intervalMs: 50,
    });
    process.kill(-run.pid, 'SIGKILL');
    const killed = await run.done;
    await waitFor(async () => processesOf(runId).length === 0, 30_000, 'every process of the killed run to be gone');
    t.not(killed.code, 0, `the killed run ends without a success (${killed.code})`);
    t.same(processesOf(runId), [], 'no process of the run survived: nothing could clean up');

    // What the lost control node left: recorded in events.jsonl, and true on the hosts and at HAProxy.
    const ev = events(evidenceDirOf(runId));
    t.same(
      ev.filter((e) => e.action === 'backed_up').map((e) => e.host),
      ['standby-1', 'standby-2'],
      'events.jsonl: the standbys were changed, no primary was',
    );
    t.same(
      ev.filter((e) => e.action === 'lb_drain').map((e) => e.host),
      ['primary-1', 'primary-2'],
      'events.jsonl: the primaries were drained',
    );
    t.notOk(
      ev.some((e) => e.phase === 'done' || e.phase === 'rollback'),
      'events.jsonl: the run neither ended nor rolled back',
    );
    t.notOk(fs.existsSync(path.join(evidenceDirOf(runId), 'manifest.sha256')), 'the killed run was never sealed');
    const pools = await readPools(lab);
    t.same(
      lab.instances.map((i) => [i.name, pools.get(i.name)!.pool.max, pools.get(i.name)!.pool.min]),
      [
        ['standby-1', 200, 20],
        ['standby-2', 200, 20],
        ['primary-1', 50, 10],
        ['primary-2', 50, 10],
      ],
      'the standbys run the new pool, the primaries the old (read back)',
    );
    t.same(
      await lbAdminStates(lab),
      { 'standby-1': 'ready', 'standby-2': 'ready', 'primary-1': 'drain', 'primary-2': 'drain' },
      'HAProxy still has the primaries drained: the standbys carry the traffic',
    );

    const rb = await runPlaybook('rollback.yml', {
      rollback_run_id: runId,
      rollback_reason: 'control node lost (SIGKILL) after the primaries were drained',
    });
    const w = await stop();
    const rbEvents = await assertManualRollback(t, lab, rb, runId, ['standby-1', 'standby-2']);
    t.same(
      rbEvents.filter((e) => e.action === 'lb_enabled').map((e) => e.host),
      ['primary-1', 'primary-2'],
      'and sent the traffic back to the primaries the lost run had drained',
    );
    t.equal(
      (await poolgate(['evidence', 'verify', evidenceDirOf(runId)])).code === 0,
      false,
      "the lost run's own folder still says it never ended (no manifest)",
    );
    await assertTraffic(t, lab, w, BUDGET_CHANGE);
  });
});
