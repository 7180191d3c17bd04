import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { EvidenceDir } from '../../../scripts/lib/evidence';
import { evidenceDirOf, outcomeOf, reasonOf, runRamp, type PassRun } from '../../../scripts/lib/ramp-run';
import type { RampPass } from '../../../scripts/lib/ramp-passes';
import { isValid } from '../../../scripts/lib/schema';

const timeouts = { idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const change = { from: { min: 10, max: 50, ...timeouts }, to: { min: 20, max: 200, ...timeouts }, steps: [100] };

/** A fake playbook: writes the run's events.jsonl like the real one, and prints its folder the way it does. */
function fakeRunner(root: string, failAt: number | null, events: string[]) {
  const calls: Array<{ pass: number; vars: Record<string, unknown> }> = [];
  const run = async (p: RampPass, runId: string, vars: Record<string, unknown>): Promise<PassRun> => {
    calls.push({ pass: p.pass, vars });
    const dir = path.join(root, runId);
    fs.mkdirSync(dir, { recursive: true });
    const failed = p.pass === failAt;
    const lines = failed ? events : ['backed_up', 'applying', 'verified'];
    fs.writeFileSync(
      path.join(dir, 'events.jsonl'),
      lines
        .map((a) =>
          JSON.stringify({
            at: '2026-11-30T18:00:00Z',
            host: 'x',
            action: a,
            ...(a === 'rollback_started'
              ? { reason: 'Monitor the fleet on localhost: p95_latency_sustained fired' }
              : {}),
          }),
        )
        .join('\n') + '\n',
    );
    return failed
      ? {
          code: 2,
          output: `fatal: [localhost]: FAILED! => {"changed": false, "msg": "ROLLED BACK: see ${dir}/rollback_log.txt"}`,
        }
      : { code: 0, output: `ok: [localhost] => {\n    "msg": "evidence: ${dir}"\n}` };
  };
  return { calls, run };
}

void t.test('every pass passes: 50 → 100 → 200, each pass a plain change from the previous level', async (t) => {
  const root = t.testdir();
  const fake = fakeRunner(root, null, []);
  const s = await runRamp({
    rampId: 'r1',
    inventory: 'inventory/lab',
    change,
    evidenceRoot: root,
    out: new EvidenceDir(path.join(root, 'r1')),
    runPass: fake.run,
  });
  t.equal(s.verdict, 'PASS');
  t.same(s.levels, [50, 100, 200]);
  t.same(
    fake.calls.map((c) => [
      c.pass,
      (c.vars.pool_scaling_from as { max: number }).max,
      (c.vars.pool_scaling_to as { max: number }).max,
      c.vars.pool_scaling_steps,
    ]),
    [
      [1, 50, 100, []],
      [2, 100, 200, []],
    ],
  );
  t.same(
    fake.calls.map((c) => c.vars.pool_scaling_run_id),
    ['r1-pass1', 'r1-pass2'],
  );
  t.same(
    s.passes.map((p) => [p.outcome, p.evidence_dir]),
    [
      ['changed', path.join(root, 'r1-pass1')],
      ['changed', path.join(root, 'r1-pass2')],
    ],
  );
  t.same(s.fleet_at, change.to);
  const written: unknown = JSON.parse(fs.readFileSync(path.join(root, 'r1', 'ramp_summary.json'), 'utf8'));
  t.ok(isValid('ramp-summary', written), 'ramp_summary.json validates');
  t.same(written, s);
});

void t.test(
  'a monitor trigger in pass 2: rolled back to the last good step, max 100, and the ramp stops',
  async (t) => {
    const root = t.testdir();
    const fake = fakeRunner(root, 2, ['backed_up', 'applying', 'rollback_started', 'rollback_verified']);
    const s = await runRamp({
      rampId: 'r2',
      inventory: 'inventory/lab',
      change,
      evidenceRoot: root,
      out: new EvidenceDir(path.join(root, 'r2')),
      runPass: fake.run,
    });
    t.equal(s.verdict, 'FAIL');
    t.equal(s.failed_pass, 2);
    t.same(
      s.passes.map((p) => p.outcome),
      ['changed', 'rolled_back'],
    );
    t.same([s.fleet_at?.max, s.fleet_at?.min], [100, 13], 'the fleet is at the intermediate level');
    t.match(
      s.message,
      /pass 2\/2 \(max 100 → 200\) failed: .*p95_latency_sustained.*rolled back to the last good step: every instance runs max 100 \/ min 13 \(read back\)/,
    );
    t.equal(s.passes[1]!.evidence_dir, path.join(root, 'r2-pass2'), 'the folder is found in the rollback message');
  },
);

void t.test(
  'a gate in pass 1 stops the ramp with nothing changed; an incomplete rollback leaves the fleet unknown',
  async (t) => {
    const root = t.testdir();
    const gate = await runRamp({
      rampId: 'r3',
      inventory: 'inventory/lab',
      change,
      evidenceRoot: root,
      out: new EvidenceDir(path.join(root, 'r3')),
      runPass: fakeRunner(root, 1, ['run_started']).run,
    });
    t.same([gate.passes.map((p) => p.outcome), gate.fleet_at?.max], [['stopped_before_change', 'not_run'], 50]);
    t.match(gate.message, /stopped before any host changed: every instance runs max 50 \/ min 10\./);
    const bad = await runRamp({
      rampId: 'r4',
      inventory: 'inventory/lab',
      change,
      evidenceRoot: root,
      out: new EvidenceDir(path.join(root, 'r4')),
      runPass: fakeRunner(root, 2, ['backed_up', 'rollback_started', 'rollback_incomplete']).run,
    });
    t.same([bad.passes[1]!.outcome, bad.fleet_at], ['rollback_incomplete', null]);
    t.match(
      bad.message,
      /ROLLBACK INCOMPLETE \(P0\).*rollback\.yml -e rollback_run_id=r4-pass2 -e '\{"pool_scaling_from":\{"min":13,"max":100/,
    );
  },
);

void t.test("outcome and folder from the playbook's own output", async (t) => {
  t.equal(
    outcomeOf({ code: 0, output: 'Already at target, nothing to change: every instance runs' }, []),
    'already_at_target',
  );
  t.equal(
    outcomeOf({ code: 2, output: '' }, [{ at: '2026-02-01T02:00:00.000Z', host: 'primary-1', action: 'applying' }]),
    'rollback_incomplete',
    'touched and never read back: unknown',
  );
  t.equal(
    reasonOf('TASK [x]\npoolgate ramp: the playbook was stopped by SIGTERM\n', []),
    'the playbook was stopped by SIGTERM (interrupted, not judged)',
  );
  t.equal(evidenceDirOf('"msg": "evidence: /w/evidence/a-pass1"', 'a-pass1', '/nowhere'), '/w/evidence/a-pass1');
  t.equal(
    evidenceDirOf('evidence: /w/evidence/a-pass10', 'a-pass1', '/nowhere'),
    null,
    "another run's folder is not this one",
  );
});
