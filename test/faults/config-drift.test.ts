import fs from 'node:fs';
import t from 'tap';
import { assertLbReady, useLab } from '../helpers/lab';
import { events, evidenceDirOf, readPools, restoreBaseline, runPlaybook, runVars } from '../e2e/rollout-helpers';
import { BUDGET_OLD, assertEvidence, assertTraffic, assertUntouched, fleetState, tail, watch } from './fault-helpers';

t.setTimeout(600_000);

// A host whose pool config file is not what its instance runs — invalid JSON, or a valid file with other values
// (sha256 of the file ≠ sha256 the instance reports at /api/health/pool-config) — is refused in the run's
// preparation: backing that file up as "the old config" would make a rollback restore something never run.
const cases = [
  {
    name: 'an invalid config file',
    host: 'primary-2',
    text: '{ "min": 10, "max": 50,\n',
    says: /primary-2: the file is invalid \(E_CONFIG_READ/,
  },
  {
    name: 'a config file that differs from what the instance runs',
    host: 'standby-2',
    text: `${JSON.stringify({ min: 10, max: 60, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 }, null, 2)}\n`,
    says: /standby-2: the file \(sha256 [0-9a-f]{12}\) is not what the instance runs \(sha256 [0-9a-f]{12}\)/,
  },
];

void t.test('a host whose config file is not what it runs is refused before any change', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const stop = watch(lab);
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await stop();
  });

  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const file = lab.instances.find((i) => i.name === c.host)!.configPath;
      const original = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, c.text);
      t.teardown(() => fs.writeFileSync(file, original));
      const before = await fleetState(lab);
      const inForce = (await readPools(lab)).get(c.host)!;

      const runId = `fault-drift-${c.host}-${Date.now()}`;
      const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId));
      t.not(run.code, 0, 'the playbook exits non-zero', { out: tail(run) });
      await assertLbReady(t, lab, 'after the refused run');
      t.match(
        run.stdout,
        /REFUSED before any change: .*CONFIG DRIFT/s,
        'it refuses with CONFIG DRIFT before any change',
      );
      t.match(run.stdout, c.says, 'it names the host and what is wrong with its file');
      t.notMatch(run.stdout, /PLAY \[Pass preflight|TASK \[pool_config/, 'neither preflight nor any host task ran');
      t.match(
        events(evidenceDirOf(runId)).at(-1),
        { action: 'refused', reason: /CONFIG DRIFT/ },
        'events.jsonl records the refusal',
      );
      await assertEvidence(t, runId, false);
      await assertUntouched(t, lab, before);
      t.equal(fs.readFileSync(file, 'utf8'), c.text, 'the drifted file itself is left for the operator to look at');
      t.same((await readPools(lab)).get(c.host)!.pool, inForce.pool, `${c.host} still runs what it ran (read back)`);
    });
  }
  stopped = true;
  await assertTraffic(t, lab, await stop(), BUDGET_OLD);
});
