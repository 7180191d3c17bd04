import fs from 'node:fs';
import t from 'tap';
import { assertLbReady, useLab } from '../helpers/lab';
import { events, evidenceDirOf, restoreBaseline, runPlaybook, runVars } from '../e2e/rollout-helpers';
import {
  BUDGET_OLD,
  assertEvidence,
  assertTraffic,
  assertUntouched,
  fleetState,
  said,
  tail,
  watch,
} from './fault-helpers';

t.setTimeout(900_000);

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
