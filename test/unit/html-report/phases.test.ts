import path from 'node:path';
import t from 'tap';
import { derivePhases, rollbackOutcome, rollbackReason } from '../../../scripts/lib/html-report/phases';
import { readRunEvidence, type RunEvidence } from '../../../scripts/lib/html-report/run-evidence';

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'evidence-run', name);

t.test('a real successful rollout: every phase, in order, none overlapping', async (t) => {
  const ev = readRunEvidence(fixture('success'));
  t.same(ev.problems, []);
  const phases = derivePhases(ev);
  t.same(
    phases.map((p) => p.id),
    ['baseline', 'standby', 'switch', 'primary', 'verify', 'loadtest', 'monitor'],
  );
  for (const [i, p] of phases.entries()) {
    t.ok(p.end >= p.start, `${p.id} ends after it starts`);
    if (i > 0) t.ok(p.start >= phases[i - 1]!.end, `${p.id} starts after ${phases[i - 1]!.id} ends`);
  }
  // The traffic switch is the primaries' drain: it starts at the first lb_drain event of the rollout.
  const drain = ev.events.find((e) => e.action === 'lb_drain')!;
  t.equal(phases.find((p) => p.id === 'switch')!.start, Date.parse(drain.at));
  t.equal(phases.find((p) => p.id === 'monitor')!.end, Date.parse(ev.monitor!.ended_at));
  t.equal(rollbackReason(ev), null);
  t.equal(rollbackOutcome(ev), null);
});

t.test('a real rolled-back rollout: phases stop at the rollback, which has its reason and outcome', async (t) => {
  const ev = readRunEvidence(fixture('rollback'));
  const phases = derivePhases(ev);
  const rollback = phases.find((p) => p.id === 'rollback');
  t.ok(rollback, 'a rollback phase');
  for (const p of phases.filter((p) => p.id !== 'rollback'))
    t.ok(p.end <= rollback!.start, `${p.id} ends by the rollback`);
  t.notOk(
    phases.some((p) => p.id === 'loadtest' || p.id === 'monitor'),
    'no load test or monitoring ran',
  );
  t.match(rollbackReason(ev), /poolgate verify gate failed: FAIL: p95 latency/);
  t.equal(rollbackOutcome(ev), 'VERIFIED');
});

t.test('hand-built events: roles come from the plan, an incomplete rollback says so', async (t) => {
  const at = (s: number) => new Date(Date.UTC(2026, 1, 1, 2, 0, s)).toISOString();
  const ev = {
    ...readRunEvidence(fixture('rollback')),
    snapshot: null,
    verify: null,
    plan: {
      change: { from: {}, to: {} },
      targets: [
        { name: 'a', url: 'http://127.0.0.1:1', role: 'standby' },
        { name: 'b', url: 'http://127.0.0.1:2', role: 'primary' },
      ],
    },
    events: [
      { at: at(0), host: 'localhost', action: 'run_started' },
      { at: at(10), host: 'a', action: 'backed_up' },
      { at: at(12), host: 'a', action: 'verified' },
      { at: at(20), host: 'b', action: 'lb_drain' },
      { at: at(25), host: 'b', action: 'applying' },
      { at: at(30), host: 'localhost', action: 'rollback_started', reason: 'b did not come back' },
      { at: at(35), host: 'b', action: 'lb_enabled' },
      { at: at(40), host: 'localhost', action: 'rollback_incomplete' },
    ],
  } as unknown as RunEvidence;
  const phases = derivePhases(ev);
  t.same(
    phases.map((p) => [p.id, (p.start - Date.parse(at(0))) / 1000, (p.end - Date.parse(at(0))) / 1000]),
    [
      ['baseline', 0, 10],
      ['standby', 10, 20],
      ['switch', 20, 25],
      ['primary', 25, 30],
      ['rollback', 30, 40],
    ],
  );
  t.equal(rollbackReason(ev), 'b did not come back');
  t.equal(rollbackOutcome(ev), 'INCOMPLETE');
});
