import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { labAuthHeaders, type LabConfig } from '../../lab/lab-config';
import { assertLbReady, assertWritesExactlyOnce } from '../helpers/lab';
import { adhoc, adhocArgs } from '../helpers/pool-config-adhoc';
import {
  assertRunSucceeded,
  configHashes,
  events,
  evidenceDirOf,
  filesContaining,
  labctl,
  labWith,
  pids,
  readPools,
  restoreBaseline,
  runPlaybook,
  runVars,
  statusOf,
  trafficUntil,
} from './rollout-helpers';

/**
 * A service whose contract endpoints require `Authorization: Bearer <token>` (POOLGATE_LAB_TOKEN=1: the lab's
 * instances read the token from a 0600 file, the lab inventory names that file as pool_instance_token_file):
 * playbooks/pool-scaling.yml changes its pool under paced traffic with zero failed requests and every acknowledged
 * write exactly once, the new pool is read back, HAProxy has every server READY and UP, and the instances still
 * refuse a probe without the token, so the run cannot have passed with the token ignored. The token is in no evidence
 * file and nowhere in Ansible's -v output. A token file that cannot be read refuses the run; a source that holds
 * nothing fails the pool_config task, naming the variable, before the host is touched.
 */
t.setTimeout(1_200_000);

async function requiresToken(t: Test, lab: LabConfig, when: string): Promise<void> {
  for (const i of lab.instances) {
    t.equal(await statusOf(`${i.url}/api/health/pool-config`), 401, `${when}: ${i.name} refuses a probe without it`);
    t.equal(await statusOf(`${i.url}/health`), 200, `${when}: ${i.name} /health stays open (HAProxy's check)`);
  }
}

t.test('pool-scaling.yml on token-protected instances', async (t) => {
  // lab-up restarts the instances with the token's file when they ran without one; the teardown puts the slot back.
  const { lab, up } = await labWith(t, { POOLGATE_LAB_TOKEN: '1' });
  t.equal(up.code, 0, 'the lab runs its instances behind a bearer token', { stderr: up.stderr.slice(-2000) });
  t.equal(fs.statSync(lab.token.file).mode & 0o777, 0o600, 'the token file is mode 0600');
  const token = fs.readFileSync(lab.token.file, 'utf8').trim();
  t.ok(token.length >= 16, 'a random token');
  await restoreBaseline(lab);
  await requiresToken(t, lab, 'before the change');
  for (const i of lab.instances)
    t.equal(await statusOf(`${i.url}/api/health/pool-config`, labAuthHeaders(lab)), 200, `${i.name} answers with it`);

  await t.test('the change completes through the token, which shows nowhere', async (t) => {
    const stop = new AbortController();
    const traffic = trafficUntil(lab.haproxy.url, stop.signal);
    const runId = `e2e-token-${Date.now()}`;
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId), ['-v']);
    stop.abort();
    const sent = await traffic;
    assertRunSucceeded(t, run, 'the playbook succeeds');
    t.ok(sent.ok > 100, `traffic flowed during the change (${sent.ok} ok)`);
    t.equal(sent.failed, 0, 'zero failed requests through HAProxy', { failures: sent.failures.slice(0, 5) });
    for (const [name, p] of await readPools(lab))
      t.same([p.pool.max, p.pool.min], [200, 20], `${name} runs max 200 / min 20 (read back with the token)`);
    await assertLbReady(t, lab);
    await assertWritesExactlyOnce(t, lab, sent);
    await requiresToken(t, lab, 'after the change');

    const dir = evidenceDirOf(runId);
    const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as {
      targets: Array<{ name: string; token_file?: string }>;
    };
    t.same(
      plan.targets.map((x) => [x.name, x.token_file && path.resolve(x.token_file)]),
      lab.instances.map((i) => [i.name, lab.token.file]),
      "the plan names each target's token file",
    );
    const verified = events(dir)
      .filter((e) => e.action === 'verified')
      .map((e) => e.host as string);
    t.same(verified.sort(), lab.instances.map((i) => i.name).sort(), 'each instance was read back after its change');
    t.same(filesContaining(dir, token), [], 'no evidence file holds the token');
    t.notOk(`${run.stdout}\n${run.stderr}`.includes(token), "Ansible's -v output does not show the token");
  });

  await t.test('an unreadable token file refuses the run before any host is touched', async (t) => {
    await restoreBaseline(lab);
    const [hashes, before] = [configHashes(lab), await pids(lab)];
    const absent = path.join(t.testdir(), 'absent');
    const runId = `e2e-token-refused-${Date.now()}`;
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_instance_token_file: absent }));
    t.not(run.code, 0, 'the playbook fails');
    t.match(run.stdout, new RegExp(`REFUSED before any change: .*token_file ${absent}`, 's'), 'it names the file');
    t.same([configHashes(lab), await pids(lab)], [hashes, before], 'no config file rewritten, no instance restarted');
    await assertLbReady(t, lab, 'after the refused run');
  });

  await t.test('a token source that holds nothing fails the task before the host is touched', async (t) => {
    const inst = lab.instances.find((i) => i.name === 'standby-1')!;
    await restoreBaseline(lab);
    const sha = (): string => crypto.createHash('sha256').update(fs.readFileSync(inst.configPath)).digest('hex');
    const state = async (): Promise<unknown> => ({
      sha: sha(),
      files: fs.readdirSync(path.dirname(inst.configPath)).sort(),
      pid: await labctl('pid', inst.name),
      generation: (await readPools(lab)).get(inst.name)!.generation,
    });
    const before = await state();
    const cases: Array<[string, Record<string, unknown>, NodeJS.ProcessEnv, RegExp]> = [
      [
        'an unreadable token file',
        { token_file: path.join(t.testdir(), 'absent') },
        process.env,
        /^standby-1: .*pool_instance_token_file .*absent/,
      ],
      [
        'an empty token file',
        { token_file: path.join(t.testdir({ empty: '\n' }), 'empty') },
        process.env,
        /^standby-1: .*pool_instance_token_file .*empty/,
      ],
      [
        'an empty variable',
        { token_env: 'POOLGATE_E2E_NO_TOKEN' },
        { ...process.env, POOLGATE_E2E_NO_TOKEN: '' },
        /^standby-1: .*pool_instance_token_env .*POOLGATE_E2E_NO_TOKEN/,
      ],
    ];
    for (const [what, source, env, msg] of cases) {
      const r = await adhoc(inst.name, adhocArgs(inst, t.testdir(), `e2e-token-src-${Date.now()}`, source), [], env);
      t.not(r.code, 0, `${what}: ansible exits non-zero`);
      t.match(r.result, { failed: true, stage: 'prepare', msg }, `${what}: the message names the variable`);
    }
    // Without the header the module cannot read the config in force: proof that the task above needed the token.
    const anonymous = await adhoc(inst.name, adhocArgs(inst, t.testdir(), `e2e-token-none-${Date.now()}`));
    t.match(anonymous.result, { failed: true, stage: 'prepare', msg: /401/ }, 'no token source: the instance says 401');
    t.same(await state(), before, 'the file, its folder, the process and the pool are as they were');
  });
});
