import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { assertLbReady, useLab } from '../helpers/lab';
import {
  configHashes,
  evidenceDirOf,
  pids,
  POOL_BEYOND_CAPACITY,
  readPools,
  restoreBaseline,
  runPlaybook,
  runVars,
} from './rollout-helpers';

// A whole rollout on a shared 2-core machine takes minutes: more than the suite's default per-file timeout.
t.setTimeout(1_200_000);

const generations = async (lab: Parameters<typeof readPools>[0]): Promise<number[]> =>
  [...(await readPools(lab)).values()].map((p) => p.generation);
const backups = (lab: Parameters<typeof configHashes>[0]): string[] =>
  lab.instances.flatMap((i) => fs.readdirSync(path.dirname(i.configPath)).filter((f) => f.includes('.bak-')));

void t.test('refusals and check mode touch no host', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));

  await t.test('a preflight failure (not enough connection capacity) stops before any host', async (t) => {
    const [hashes, before, gens] = [configHashes(lab), await pids(lab), await generations(lab)];
    const runId = `e2e-refused-${Date.now()}`;
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_to: POOL_BEYOND_CAPACITY }));
    t.not(run.code, 0, 'the playbook fails');
    t.match(run.stdout, /poolgate preflight\s+gate failed:.*capacity/is, 'it names the capacity gate');
    await assertLbReady(t, lab, 'after the refused run');
    t.same(configHashes(lab), hashes, 'every config file is byte-identical');
    t.same(await pids(lab), before, 'no instance restarted (same pids)');
    t.same(await generations(lab), gens, 'no instance reloaded (same generations)');
    t.same(backups(lab), [], 'no backup was even taken');
    t.ok(
      fs.readdirSync(evidenceDirOf(runId)).some((f) => f.startsWith('preflight_')),
      'the preflight evidence explains why',
    );
  });

  await t.test('a run started too late for its window is refused before any change, saying when', async (t) => {
    const [hashes, before, gens] = [configHashes(lab), await pids(lab), await generations(lab)];
    // A window that opened an hour ago and closes in 4-5 minutes, without the lab's override: the run's expected
    // length (sample windows, load test, monitoring, 4 × 30 s, a 10-minute rollback and its watch) cannot fit.
    const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);
    const now = Date.now();
    const window = { start: hhmm(now - 3600_000), end: hhmm(now + 5 * 60_000), per_host_s: 30 };
    const runId = `e2e-late-${now}`;
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_change_window: window }));
    t.not(run.code, 0, 'the playbook fails');
    await assertLbReady(t, lab, 'after the run refused for its window');
    t.match(
      run.stdout,
      new RegExp(
        `REFUSED before any change: .*change window \\(whole run\\).*the run needs up to \\d+m \\(.*\\): started now it would end at \\d\\d:\\d\\d UTC, after the window closes at ${window.end} UTC; the next window opens \\d{4}-\\d\\d-\\d\\d ${window.start} UTC`,
        's',
      ),
      'it says when the run would end, when the window closes and when it next opens',
    );
    t.same(configHashes(lab), hashes, 'every config file is byte-identical');
    t.same(await pids(lab), before, 'no instance restarted (same pids)');
    t.same(await generations(lab), gens, 'no instance reloaded (same generations)');
    t.same(backups(lab), [], 'no backup was taken');
    const dir = evidenceDirOf(runId);
    const preflight = fs.readdirSync(dir).find((f) => /^preflight_.*\.json$/.test(f))!;
    const cw = (
      JSON.parse(fs.readFileSync(path.join(dir, preflight), 'utf8')) as {
        change_window: { fits: boolean; run_length_s: number };
      }
    ).change_window;
    t.equal(cw.fits, false);
    t.ok(cw.run_length_s > 600, `the expected length counts a rollback and its watch (${cw.run_length_s} s)`);

    // The recorded override keeps working, with its reason: the same window, overridden, passes the window check.
    const overridden = { ...window, override: { reason: 'e2e: a late run on purpose', by: 'e2e' } };
    const again = await runPlaybook(
      'pool-scaling.yml',
      runVars(lab, `${runId}-override`, { pool_scaling_change_window: overridden }),
      ['--tags', 'preflight'],
    );
    t.equal(again.code, 0, 'with the override, preflight passes', { stdout: again.stdout.slice(-2000) });
    await assertLbReady(t, lab, 'after the overridden preflight-only run');
    const odir = evidenceDirOf(`${runId}-override`);
    const ofile = fs.readdirSync(odir).find((f) => /^preflight_.*\.json$/.test(f))!;
    const item = (
      JSON.parse(fs.readFileSync(path.join(odir, ofile), 'utf8')) as {
        items: { id: string; verdict: string; detail?: string }[];
      }
    ).items.find((i) => i.id === 'change_window')!;
    t.equal(item.verdict, 'WARN');
    t.match(item.detail, /would end at .*overridden by e2e: e2e: a late run on purpose/);
    t.same(configHashes(lab), hashes, 'a preflight-only run changes nothing either');
  });

  await t.test(
    'an evidence key that cannot sign (its public half, in no ssh-agent) refuses before any change',
    async (t) => {
      const [hashes, before, gens] = [configHashes(lab), await pids(lab), await generations(lab)];
      const dir = t.testdir({});
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'operator')]);
      fs.rmSync(path.join(dir, 'operator'));
      const key = path.join(dir, 'operator.pub');
      const runId = `e2e-unsignable-${Date.now()}`;
      const run = await runPlaybook(
        'pool-scaling.yml',
        runVars(lab, runId, { pool_scaling_evidence_signing: { key } }),
        [],
        600_000,
        { env: { SSH_AUTH_SOCK: '' } },
      );
      t.not(run.code, 0, 'the playbook fails');
      t.match(
        run.stdout,
        new RegExp(
          `REFUSED before any change: .*pool_scaling_evidence_signing.key ${key} cannot sign on the control node \\(.*No private key found.*\\): the sealed evidence could not be signed`,
          's',
        ),
        'it names the key and why it cannot sign',
      );
      await assertLbReady(t, lab, 'after the refused run');
      t.same(configHashes(lab), hashes, 'every config file is byte-identical');
      t.same(await pids(lab), before, 'no instance restarted (same pids)');
      t.same(await generations(lab), gens, 'no instance reloaded (same generations)');
      t.same(backups(lab), [], 'no backup was taken');
    },
  );

  await t.test("--check --diff shows each host's config change and changes nothing", async (t) => {
    const [hashes, gens] = [configHashes(lab), await generations(lab)];
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, `e2e-check-${Date.now()}`), ['--check', '--diff']);
    t.equal(run.code, 0, 'the check run succeeds', { stdout: run.stdout.slice(-3000) });
    // The inventory spells the path through playbooks/.., so match its tail.
    for (const i of lab.instances)
      t.match(run.stdout, new RegExp(`--- before: \\S*/instances/${i.name}/pool\\.json`), `shows ${i.name}'s diff`);
    await assertLbReady(t, lab, 'after the check run');
    t.equal(run.stdout.split('-  "max": 50,').length - 1, 4, 'four hosts would leave max 50');
    t.equal(run.stdout.split('+  "max": 200,').length - 1, 4, 'four hosts would get max 200');
    t.same(configHashes(lab), hashes, 'every config file is byte-identical');
    t.same(await generations(lab), gens, 'no instance reloaded');
    t.same(backups(lab), [], 'no backup was written');
  });
});
