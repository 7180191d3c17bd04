import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { judgeRepeat, runsOnFleet } from '../../../scripts/lib/run-history';
import type { Plan } from '../../../scripts/types/plan';

const FROM = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const TO = { ...FROM, min: 20, max: 200 };
const targets: Plan['targets'] = [
  { name: 'standby-1', url: 'http://127.0.16.11:3000', role: 'standby' },
  { name: 'primary-1', url: 'http://127.0.16.21:3000', role: 'primary' },
];
const plan = (runId: string, to = TO, t2 = targets): Plan => ({
  run_id: runId,
  change: { from: FROM, to },
  targets: t2,
});

type Outcome = 'rolled_back' | 'completed' | 'refused' | 'incomplete';

/** One run's evidence folder, as the rollout writes it: plan.json and events.jsonl. */
function run(root: string, runId: string, at: string, outcome: Outcome, p = plan(runId)): void {
  const dir = path.join(root, runId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(p));
  const t0 = Date.parse(at);
  const ev = (s: number, e: Record<string, unknown>) =>
    JSON.stringify({ at: new Date(t0 + s * 1000).toISOString(), host: 'localhost', ...e });
  const lines = [ev(0, { action: 'run_started', kind: 'change', run_id: runId })];
  if (outcome === 'refused') lines.push(ev(5, { action: 'refused', phase: 'done', reason: 'preflight' }));
  else {
    lines.push(ev(10, { host: 'standby-1', action: 'backed_up' }), ev(11, { host: 'standby-1', action: 'verified' }));
    if (outcome === 'completed') lines.push(ev(60, { action: 'changed', phase: 'done' }));
    else {
      lines.push(
        ev(30, { action: 'rollback_started', phase: 'rollback', reason: 'p95_latency_sustained: p95 1500 ms' }),
      );
      lines.push(
        ev(90, { action: outcome === 'incomplete' ? 'rollback_incomplete' : 'rollback_verified', phase: 'rollback' }),
      );
    }
  }
  fs.writeFileSync(path.join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
}

/** A fresh evidence root (t.testdir gives one folder per test, recreated on each call). */
const root = (t: Test): string => fs.mkdtempSync(path.join(t.testdir({}), 'root-'));

t.test(
  'the same change after the last run on this fleet rolled it back: refused, naming the run and its reason',
  async (t) => {
    const r = root(t);
    run(r, 'run-1', '2026-02-01T02:00:00Z', 'completed');
    run(r, 'run-2', '2026-02-01T02:30:00Z', 'rolled_back');
    run(r, 'run-3', '2026-02-01T02:40:00Z', 'refused', plan('run-3'));
    const j = judgeRepeat(plan('run-4'), r, 'run-4');
    t.equal(j.refused, true);
    t.equal(j.last?.run_id, 'run-2', 'the refused run-3 touched nothing: run-2 is the last run on the fleet');
    t.match(
      j.message,
      /^run run-2 ROLLED BACK this same change \(max 50 → 200, min 10 → 20\): p95_latency_sustained: p95 1500 ms\. The inventory still declares .*-e pool_scaling_retry_reason=/,
    );
    const retried = judgeRepeat(plan('run-4'), r, 'run-4', '  the slow query behind INC-42 is fixed ');
    t.same([retried.refused, retried.retry], [false, { of: 'run-2', reason: 'the slow query behind INC-42 is fixed' }]);
    t.equal(judgeRepeat(plan('run-4'), r, 'run-4', '   ').refused, true, 'a blank reason is no reason');
  },
);

t.test('a prepared revert is named in the refusal', async (t) => {
  const r = root(t);
  run(r, 'run-2', '2026-02-01T02:30:00Z', 'rolled_back');
  fs.writeFileSync(
    path.join(r, 'run-2', 'revert.json'),
    JSON.stringify({
      status: 'prepared',
      why: null,
      repo: '/repo',
      file: '/repo/inventory/lab/group_vars/all/change.yml',
      change_commit: 'a'.repeat(40),
      head: 'b'.repeat(40),
      branch: 'poolgate/revert-run-2',
      commit: 'c'.repeat(40),
      publish: ['git -C /repo push origin poolgate/revert-run-2', 'git -C /repo merge --ff-only poolgate/revert-run-2'],
      values: { from: FROM, to: TO },
    }),
  );
  t.match(
    judgeRepeat(plan('run-3'), r, 'run-3').message,
    /merge the revert poolgate prepared \(git -C \/repo push origin poolgate\/revert-run-2 or /,
  );
});

t.test(
  'not refused: another change, a later good run, another fleet, no history, an incomplete rollback is refused too',
  async (t) => {
    const base = t.testdir({});
    const fresh = (): string => fs.mkdtempSync(path.join(base, 'root-'));
    const r = fresh();
    run(r, 'run-2', '2026-02-01T02:30:00Z', 'rolled_back');
    t.equal(judgeRepeat(plan('x', { ...TO, max: 150 }), r, 'x').refused, false, 'a different change.to');
    const other = [{ name: 'a', url: 'http://10.0.0.1:3000' }] as Plan['targets'];
    t.equal(judgeRepeat(plan('x', TO, other), r, 'x').refused, false, 'another fleet');
    t.equal(judgeRepeat(plan('run-2'), r, 'run-2').refused, false, 'a run never judges itself');
    run(r, 'run-3', '2026-02-01T03:00:00Z', 'completed');
    t.equal(judgeRepeat(plan('x'), r, 'x').refused, false, 'the last run on the fleet completed');
    t.equal(judgeRepeat(plan('x'), fresh(), 'x').message, 'no earlier run touched this fleet');
    const r2 = fresh();
    run(r2, 'run-5', '2026-02-01T02:30:00Z', 'incomplete');
    t.match(judgeRepeat(plan('x'), r2, 'x').message, /^run run-5 left a ROLLBACK INCOMPLETE after this same change/);
    t.same(
      runsOnFleet(r, targets, 'none').map((x) => [x.run_id, x.rolled_back]),
      [
        ['run-3', null],
        ['run-2', 'VERIFIED'],
      ],
    );
  },
);
