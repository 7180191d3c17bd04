import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { assertLbReady, useLab } from '../helpers/lab';
import { configHashes, evidenceDirOf, pids, readPools, restoreBaseline, runPlaybook, runVars } from './rollout-helpers';

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
    const huge = {
      min: 20,
      max: 5000,
      idleTimeoutMillis: 30000,
      connectionTimeoutMillis: 2000,
      acquireTimeoutMillis: 10000,
    };
    const runId = `e2e-refused-${Date.now()}`;
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_to: huge }));
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
