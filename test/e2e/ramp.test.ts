import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { assertLbReady, assertWritesExactlyOnce, useLab } from '../helpers/lab';
import { startReceiver, type Receiver } from './notify-receiver';
import { runRampCli } from './ramp-helpers';
import { events, evidenceProblems, readPools, restoreBaseline, shortRun, trafficUntil } from './rollout-helpers';
import type { RampSummary } from '../../scripts/types/ramp-summary';

t.setTimeout(4_800_000);

/**
 * The ramp 50 → 100 → 200 on the lab under traffic, through `poolgate ramp` (one full pool-scaling.yml run per
 * pass), in two acts on one lab:
 *  1. a rollback trigger in the last pass only: pass 1 (50 → 100) passes, pass 2 (100 → 200) is rolled back to the
 *     last good step — every instance read back at max 100 / min 13, not 50 — with its incident; the ramp says
 *     which pass failed and where the fleet is;
 *  2. the same ramp again without the trigger: pass 1 finds the fleet at 100 and changes nothing, pass 2 takes it
 *     to 200. Every pass re-runs preflight (capacity for that pass), verify, load test, monitoring and report.
 * A local webhook hears start + success for each pass that passes, start + gate_failed + rollback for the one
 * rolled back, the sealed digest after every pass, and its token appears nowhere.
 */
const eventOf = (text: string): string => /^poolgate (\w+):/.exec(text)?.[1] ?? text.slice(0, 40);

function checkPassEvidence(t: Test, p: RampSummary['passes'][number], hosts: string[]): void {
  const dir = p.evidence_dir!;
  const files = fs.readdirSync(dir);
  for (const re of [/^preflight_/, /^verify_/, /^analysis_/, /^monitor_\d/])
    t.ok(
      files.some((f) => re.test(f)),
      `pass ${p.pass} has its own ${re.source}`,
    );
  const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as {
    change: { from: { max: number }; to: { max: number }; steps?: number[] };
  };
  t.same(
    [plan.change.from.max, plan.change.to.max, plan.change.steps],
    [p.from.max, p.to.max, undefined],
    `pass ${p.pass}'s plan is the pass alone`,
  );
  const preflight = JSON.parse(
    fs.readFileSync(
      path.join(
        dir,
        files.find((f) => /^preflight_.*\.json$/.test(f))!,
      ),
      'utf8',
    ),
  ) as { items: Array<{ id: string; verdict: string }> };
  t.ok(
    preflight.items.some((i) => i.id === 'capacity' && i.verdict === 'PASS'),
    `pass ${p.pass}'s capacity gate ran and passed`,
  );
  t.same(
    [
      ...new Set(
        events(dir)
          .filter((e) => e.action === 'verified')
          .map((e) => e.host as string),
      ),
    ].sort(),
    [...hosts].sort(),
    `pass ${p.pass} read back every instance`,
  );
  t.same(evidenceProblems(dir), [], `pass ${p.pass}'s evidence validates`);
}

function tokenNowhere(t: Test, hook: Receiver, output: string, s: RampSummary): void {
  const evidence = s.passes
    .filter((p) => p.evidence_dir)
    .flatMap((p) => fs.readdirSync(p.evidence_dir!).map((f) => path.join(p.evidence_dir!, f)))
    .filter((f) => fs.statSync(f).isFile())
    .map((f) => fs.readFileSync(f, 'utf8'));
  t.notMatch(
    [output, JSON.stringify(s), ...evidence].join('\n'),
    hook.token,
    'the webhook token appears nowhere in ansible output or evidence',
  );
}

void t.test('a ramp that fails at its last pass lands on the last good step; run again, it completes', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const hosts = lab.instances.map((i) => i.name);
  const base = shortRun(lab) as { pool_scaling_monitor: Record<string, unknown> };
  // no revert branch in the checkout the suite runs from (rollout-rollback.test.ts proves it on its own repository)
  const vars = JSON.stringify({ ...base, pool_scaling_steps: [100], pool_scaling_prepare_revert: false });
  const rampId = `e2e-ramp-${Date.now()}`;

  await t.test('act 1: a rollback trigger in pass 2 only', async (t) => {
    const hook = await startReceiver(t, lab);
    // Pass 2 only: a latency trigger any traffic fires (p95 above 0 ms for 3 s), as a real regression would.
    const pass2 = {
      pool_scaling_monitor: {
        ...base.pool_scaling_monitor,
        triggers: [
          { name: 'p95_latency_sustained', metric: 'p95_ms', scope: 'fleet', above: 0, sustained_s: 3, min_samples: 3 },
        ],
      },
    };
    const stop = new AbortController();
    const traffic = trafficUntil(lab.haproxy.url, stop.signal);
    const run = await runRampCli(['--ramp-id', rampId, '-e', vars, '--pass-vars', `2=${JSON.stringify(pass2)}`], {
      POOLGATE_WEBHOOK_URL: hook.url,
    });
    stop.abort();
    const sent = await traffic;

    t.equal(run.code, 1, 'the ramp ends failed (gate)', { stderr: run.stderr.slice(-4000) });
    await assertLbReady(t, lab, 'after the rolled-back ramp');
    const s = run.summary!;
    t.same([s.verdict, s.failed_pass, s.levels], ['FAIL', 2, [50, 100, 200]]);
    t.same(
      s.passes.map((p) => [p.from.max, p.to.max, p.outcome]),
      [
        [50, 100, 'changed'],
        [100, 200, 'rolled_back'],
      ],
    );
    t.same([s.fleet_at?.max, s.fleet_at?.min], [100, 13], 'the summary puts the fleet on the last good step');
    t.match(
      s.message,
      /pass 2\/2 \(max 100 → 200\) failed: .*rolled back to the last good step: every instance runs max 100 \/ min 13 \(read back\)/,
    );
    for (const [name, p] of await readPools(lab))
      t.same([p.pool.max, p.pool.min], [100, 13], `${name} runs max 100 / min 13 (read back), not the original 50`);
    t.ok(sent.ok > 50, `traffic flowed throughout (${sent.ok} ok, ${sent.failed} failed)`);
    await assertWritesExactlyOnce(t, lab, sent);
    checkPassEvidence(t, s.passes[0]!, hosts);

    const dir = s.passes[1]!.evidence_dir!;
    const incidents = fs.readdirSync(path.join(dir, 'incidents')).filter((f) => /_pool_scaling_incident\.md$/.test(f));
    t.equal(incidents.length, 1, 'the failed pass wrote its incident');
    const incident = fs.readFileSync(path.join(dir, 'incidents', incidents[0]!), 'utf8');
    t.match(incident, /\*\*Severity\*\*: P1/, 'a latency trigger is P1');
    t.match(incident, /\*\*Trigger\*\*: p95_latency_sustained/, 'the incident names the trigger');
    t.match(
      incident,
      /\*\*Rollback outcome\*\*: VERIFIED at .*every instance runs max 100 \/ min 13/,
      "and the rollback's outcome",
    );
    t.match(
      incident,
      /notified rollback for Executive Operator: nobody named · Product Lead: nobody named · On-call: .+ via webhook http:\/\/127\.0\.\d+\.60:\d+\/…: delivered/,
      'and who was notified, for whom (the lab names only its on-call)',
    );
    t.match(
      run.stderr.replace(/\s+/g, ' '),
      /Ramp .*pass 2\/2 \(max 100 → 200\) failed; the fleet is back on the last good step, max 100 \/ min 13/,
      'the playbook says so too',
    );
    t.ok(
      events(dir).some((e) => e.action === 'rollback_verified'),
      'the rollback read back every instance',
    );
    t.same(
      hook.messages.map((m) => eventOf(m.text)),
      ['start', 'success', 'sealed', 'start', 'gate_failed', 'rollback', 'sealed'],
      'pass 1: start + success; pass 2: start, gate failed, rollback; each sealed',
    );
    tokenNowhere(t, hook, run.stderr, s);
  });

  await t.test('act 2: the same ramp again, without the trigger, completes from where the fleet is', async (t) => {
    const hook = await startReceiver(t, lab);
    const stop = new AbortController();
    const traffic = trafficUntil(lab.haproxy.url, stop.signal);
    // Pass 2 (100 → 200) is the change act 1 rolled back: made again on purpose, with the operator's reason.
    const retry = JSON.stringify({ pool_scaling_retry_reason: 'e2e act 2: the trigger of act 1 is gone' });
    const run = await runRampCli(['--ramp-id', `${rampId}-again`, '-e', vars, '-e', retry], {
      POOLGATE_WEBHOOK_URL: hook.url,
    });
    stop.abort();
    const sent = await traffic;

    t.equal(run.code, 0, 'the ramp succeeds', { stderr: run.stderr.slice(-4000) });
    await assertLbReady(t, lab, 'after the ramp');
    const s = run.summary!;
    t.equal(s.verdict, 'PASS');
    t.same(
      s.passes.map((p) => [p.from.max, p.to.max, p.outcome]),
      [
        [50, 100, 'already_at_target'],
        [100, 200, 'changed'],
      ],
      'pass 1 changes nothing, pass 2 goes to 200',
    );
    for (const [name, p] of await readPools(lab))
      t.same([p.pool.max, p.pool.min], [200, 20], `${name} runs max 200 / min 20 (read back)`);
    t.equal(sent.failed, 0, `zero failed requests through HAProxy (${sent.ok} ok)`);
    await assertWritesExactlyOnce(t, lab, sent);
    checkPassEvidence(t, s.passes[1]!, hosts);
    const retried = fs
      .readFileSync(path.join(s.passes[1]!.evidence_dir!, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; retry_of?: string; reason?: string })
      .find((e) => e.action === 'retry_after_rollback');
    t.match(
      retried,
      { retry_of: `${rampId}-pass2`, reason: 'e2e act 2: the trigger of act 1 is gone' },
      "pass 2 retried the change act 1 rolled back, with the operator's reason on record",
    );
    t.same(
      hook.messages.map((m) => eventOf(m.text)),
      ['sealed', 'start', 'success', 'sealed'],
      'pass 2: start and success (pass 1 had nothing to announce but its sealed evidence)',
    );
    tokenNowhere(t, hook, run.stderr, s);
  });
});
