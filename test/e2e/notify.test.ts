import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { assertLbReady, useLab } from '../helpers/lab';
import { startReceiver } from './notify-receiver';
import { evidenceDirOf, readPools, restoreBaseline, runPlaybook, runVars } from './rollout-helpers';

t.setTimeout(600_000);

/**
 * Notifications wired into the rollout, on runs that stop before any change (cheap: no host is touched). The
 * good run (start + success) and the rolled-back run (start, gate_failed, rollback) are asserted on every pass of
 * test/e2e/ramp.test.ts, with the same receiver.
 */
const eventOf = (text: string): string => /^poolgate (\w+):/.exec(text)?.[1] ?? text.slice(0, 40);

void t.test(
  'a capacity gate that fails at preflight: gate_failed with the reason, no start, the token nowhere',
  async (t) => {
    const lab = await useLab(t);
    await restoreBaseline(lab);
    t.teardown(() => restoreBaseline(lab));
    const hook = await startReceiver(t, lab);
    const runId = `e2e-notify-gate-${Date.now()}`;
    const to = {
      min: 20,
      max: 2000,
      idleTimeoutMillis: 30000,
      connectionTimeoutMillis: 2000,
      acquireTimeoutMillis: 10000,
    };
    process.env.POOLGATE_WEBHOOK_URL = hook.url;
    t.teardown(() => void delete process.env.POOLGATE_WEBHOOK_URL);
    const stakeholders = { executive_operator: ['Dana Reyes'], product_lead: [], on_call: ['Riya Patel', '#oncall'] };
    const run = await runPlaybook(
      'pool-scaling.yml',
      runVars(lab, runId, { pool_scaling_to: to, pool_scaling_stakeholders: stakeholders }),
    );

    t.not(run.code, 0, 'the run stops');
    await assertLbReady(t, lab, 'after the refused run');
    t.match(run.stdout, /REFUSED before any change/, 'refused before any change');
    t.same(
      hook.messages.map((m) => eventOf(m.text)),
      ['gate_failed', 'sealed'],
      'gate_failed, then the digest of the sealed evidence: the change never started',
    );
    t.match(hook.messages[0]!.text, /capacity/i, 'the message names the failed gate');
    t.match(hook.messages[0]!.text, /for On-call: Riya Patel, #oncall/, 'and who it is for, by name');
    const preflight = fs.readdirSync(evidenceDirOf(runId)).find((f) => /^preflight_.*\.json$/.test(f))!;
    const items = (
      JSON.parse(fs.readFileSync(path.join(evidenceDirOf(runId), preflight), 'utf8')) as {
        items: { id: string; verdict: string }[];
      }
    ).items.filter((i) => i.id.startsWith('stakeholder:'));
    t.same(
      items.map((i) => [i.id, i.verdict]),
      [
        ['stakeholder:executive_operator', 'PASS'],
        ['stakeholder:product_lead', 'WARN'],
        ['stakeholder:on_call', 'PASS'],
      ],
      'preflight warns that nobody is named Product Lead',
    );
    for (const [name, p] of await readPools(lab)) t.same(p.pool.max, 50, `${name} unchanged`);
    const dir = evidenceDirOf(runId);
    const recorded = fs
      .readFileSync(path.join(dir, 'notifications.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; ok: boolean; target: string; for: unknown });
    t.same(
      recorded.map((r) => [r.event, r.ok]),
      [['gate_failed', true]],
    );
    t.match(recorded[0]!.target, /^http:\/\/127\.0\.\d+\.60:\d+\/…$/, 'the target is redacted to scheme://host/…');
    t.same(recorded[0]!.for, [{ role: 'on_call', label: 'On-call', who: ['Riya Patel', '#oncall'] }]);
    const evidence = fs
      .readdirSync(dir)
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    t.notMatch(
      run.stdout + run.stderr + evidence,
      hook.token,
      'the token is in neither the ansible output nor the evidence',
    );
  },
);

void t.test(
  'no webhook configured: the notification is recorded as skipped and the run is not affected by it',
  async (t) => {
    const lab = await useLab(t);
    await restoreBaseline(lab);
    t.teardown(() => restoreBaseline(lab));
    delete process.env.POOLGATE_WEBHOOK_URL;
    const runId = `e2e-notify-none-${Date.now()}`;
    const to = {
      min: 20,
      max: 2000,
      idleTimeoutMillis: 30000,
      connectionTimeoutMillis: 2000,
      acquireTimeoutMillis: 10000,
    };
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_to: to }));
    t.match(
      run.stdout,
      /REFUSED before any change: .*capacity/is,
      'it stops for the capacity gate, not for the webhook',
    );
    await assertLbReady(t, lab, 'after the refused run');
    const recorded = fs
      .readFileSync(path.join(evidenceDirOf(runId), 'notifications.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; ok: boolean; skipped?: boolean });
    t.same(
      recorded.map((r) => [r.event, r.ok, r.skipped]),
      [['gate_failed', false, true]],
    );
  },
);
