import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { assertLbReady, useLab } from '../helpers/lab';
import { evidenceDirOf, restoreBaseline, runPlaybook, runVars } from '../e2e/rollout-helpers';
import { BUDGET_OLD, assertTraffic, assertUntouched, fleetState, tail, watch } from './fault-helpers';

t.setTimeout(600_000);

// A change that cannot write its evidence must not start: the proof is part of the change. The tests run as root
// here, and chmod does not stop root (CAP_DAC_OVERRIDE), so the run's folder is made immutable with `chattr +i`
// (ext4: even root gets EPERM creating a file in it); and an evidence root below a regular file cannot be created
// by anyone (ENOTDIR). Either way the run is refused in its preparation, before any host is touched.
const chattr = (flag: '+i' | '-i', dir: string): void => {
  execFileSync('chattr', [flag, dir]);
};

void t.test('an evidence folder that cannot be written refuses the run before any change', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const stop = watch(lab);
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await stop();
  });

  await t.test('the run folder is immutable (chattr +i)', async (t) => {
    const runId = `fault-evidence-ro-${Date.now()}`;
    const dir = evidenceDirOf(runId);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    chattr('+i', dir);
    t.teardown(() => {
      chattr('-i', dir);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    t.throws(
      () => fs.writeFileSync(path.join(dir, 'probe'), 'x'),
      'root itself cannot write in it (the fault is real)',
    );
    const before = await fleetState(lab);
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId));
    t.not(run.code, 0, 'the playbook exits non-zero', { out: tail(run) });
    await assertLbReady(t, lab, 'after the refused run');
    t.match(
      run.stdout,
      /REFUSED before any change: Record the event in events\.jsonl:.*(not writable|Operation not permitted|Permission denied)/s,
      'it names the evidence write that failed and why',
    );
    t.notMatch(run.stdout, /PLAY \[Pass preflight|TASK \[pool_config/, 'neither preflight nor any host task ran');
    t.same(fs.readdirSync(dir), [], 'nothing was written in the folder');
    await assertUntouched(t, lab, before);
  });

  await t.test('the evidence root cannot be created (a path below a regular file)', async (t) => {
    const file = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-fault-'));
    const blocker = path.join(file, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    t.teardown(() => fs.rmSync(file, { recursive: true, force: true }));
    const before = await fleetState(lab);
    const run = await runPlaybook(
      'pool-scaling.yml',
      runVars(lab, `fault-evidence-root-${Date.now()}`, { pool_scaling_evidence_root: path.join(blocker, 'evidence') }),
    );
    t.not(run.code, 0, 'the playbook exits non-zero', { out: tail(run) });
    await assertLbReady(t, lab, 'after the refused run');
    // Ansible's YAML output doubles the quote in "run's".
    t.match(
      run.stdout,
      /REFUSED before any change: Create the run'{1,2}s evidence folder: .*Not a directory/s,
      'it names the evidence folder that could not be created',
    );
    t.notMatch(run.stdout, /PLAY \[Pass preflight|TASK \[pool_config/, 'neither preflight nor any host task ran');
    await assertUntouched(t, lab, before);
  });

  stopped = true;
  await assertTraffic(t, lab, await stop(), BUDGET_OLD);
});
