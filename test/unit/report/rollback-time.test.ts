import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { EvidenceDir } from '../../../scripts/lib/evidence';
import { incidentFacts, renderIncident, writeIncident } from '../../../scripts/lib/incident';
import { renderReport } from '../../../scripts/lib/judge/report-markdown';
import { buildReport } from '../../../scripts/lib/judge/verification-report';
import { rollbackSection, rollbackTiming, rollbackTimingText } from '../../../scripts/lib/rollback-time';
import { isValid, problemsOf } from '../../../scripts/lib/schema';

const fixture = path.join(__dirname, '..', '..', 'fixtures', 'evidence-run', 'rollback');
const line = (e: Record<string, unknown>): string => JSON.stringify(e);

t.test('from the failed gate to every host read back, judged against the bound', async (t) => {
  // verify failed at 14:00:04.645 (its finished_at), the rollback started after it and read back at 14:00:26.198
  const r = rollbackTiming(fixture, 600)!;
  t.same(
    { ...r, seconds: Number(r.seconds!.toFixed(3)) },
    {
      trigger_at: '2026-12-06T14:00:04.645Z',
      trigger: 'verify failed (verify_20261206T135959Z.json)',
      read_back_at: '2026-12-06T14:00:26.198486Z',
      seconds: 21.553,
      max_s: 600,
      verdict: 'PASS',
    },
  );
  t.equal(
    rollbackTimingText(r),
    '21.6s from the trigger (verify failed (verify_20261206T135959Z.json), 2026-12-06T14:00:04.645Z) to every host read back (2026-12-06T14:00:26.198486Z) — bound 10m, runbook "Expected Rollback Time: 5-10 minutes": PASS',
  );
  t.equal(rollbackTiming(fixture, 20)!.verdict, 'FAIL', 'a 20 s bound is missed by 1.6 s');
  t.equal(rollbackTiming(fixture, 21.553)!.verdict, 'PASS', 'at the bound passes');
});

t.test('without a gate the rollback start is the trigger; a manual rollback counts from its start', async (t) => {
  const dir = t.testdir({
    'events.jsonl': [
      line({ at: '2026-02-01T02:00:00Z', host: 'localhost', action: 'run_started', kind: 'change' }),
      line({ at: '2026-02-01T02:05:00Z', host: 'localhost', action: 'rollback_started', reason: 'apply failed' }),
      line({ at: '2026-02-01T02:16:00Z', host: 'localhost', action: 'rollback_verified' }),
    ].join('\n'),
  });
  const r = rollbackTiming(dir, 600)!;
  t.same([r.trigger_at, r.seconds, r.verdict], ['2026-02-01T02:05:00Z', 660, 'FAIL'], '11 minutes: over the 10');
  const manual = t.testdir({
    'events.jsonl': [
      line({ at: '2026-02-01T03:00:00Z', host: 'localhost', action: 'run_started', kind: 'rollback' }),
      line({ at: '2026-02-01T03:00:20Z', host: 'localhost', action: 'rollback_started', reason: 'manual' }),
      line({ at: '2026-02-01T03:02:00Z', host: 'localhost', action: 'rollback_verified' }),
    ].join('\n'),
  });
  t.same(
    [rollbackTiming(manual, 600)!.trigger_at, rollbackTiming(manual, 600)!.seconds],
    ['2026-02-01T03:00:00Z', 120],
  );
  const unfinished = t.testdir({
    'events.jsonl': line({ at: '2026-02-01T02:05:00Z', host: 'localhost', action: 'rollback_started', reason: 'x' }),
  });
  const u = rollbackTiming(unfinished, 600)!;
  t.same([u.seconds, u.verdict], [null, 'COULD_NOT_MEASURE'], 'never read back: not measured, never passed');
  t.equal(rollbackTiming(t.testdir({ 'events.jsonl': '' }), 600), null, 'no rollback: nothing to judge');
});

t.test('the incident and the report say it, and a rolled-back run is decided ROLLBACK', async (t) => {
  const facts = incidentFacts(fixture, 600);
  const md = renderIncident(
    {
      reason: 'verify failed',
      trigger: 'verify_failed',
      severity: 'P1',
      decision: 'ROLLBACK',
      actions: [],
      notified: [],
      operator: 'op',
      now: new Date('2026-11-30T18:00:00Z'),
    },
    facts,
    null,
    [],
  );
  t.match(md, /\*\*Rollback time\*\*: 21\.6s from the trigger .* — bound 10m, .*: PASS/);
  const section = rollbackSection(fixture, { rollback: { max_s: 10 } })!;
  t.equal(section.outcome, 'VERIFIED');
  t.equal(section.timing.verdict, 'FAIL', "the plan's bound is used");
  const report = buildReport({
    plan: null,
    snapshot: null,
    verify: null,
    loadtest: null,
    analysis: null,
    monitor: null,
    inputs: [],
    operator: { name: 'op', source: 'test' },
    now: new Date('2026-11-30T18:00:00Z'),
    markdownFile: 'pool_scaling_verification_x.md',
    rollback: section,
  });
  t.equal(report.decision, 'ROLLBACK', 'rolled back: ROLLBACK, never INCOMPLETE');
  t.equal(report.exit_code, 1);
  t.ok(isValid('report', report), problemsOf('report', report).join('; '));
  const text = renderReport(report);
  t.match(
    text,
    /## Rollback\n- Reason: .*verify.*\n- Outcome: VERIFIED: every host read back at the old values\n- Rollback time: 21\.6s .*bound 10s.*: FAIL/,
  );
  t.match(text, /\*\*Decision\*\*: ROLLBACK — the change was rolled back: /);
  t.ok(fs.existsSync(path.join(fixture, 'events.jsonl')));
});

t.test(
  'a fleet not back at baseline after its rollback: a P1 incident that says so, and the report shows it',
  async (t) => {
    const dir = t.testdir({});
    for (const f of fs.readdirSync(fixture)) {
      const src = path.join(fixture, f);
      if (fs.statSync(src).isFile()) fs.copyFileSync(src, path.join(dir, f));
    }
    const watch = {
      kind: 'rollback_watch',
      started_at: '2026-11-30T17:59:50Z',
      ended_at: '2026-11-30T18:14:50Z',
      baseline: {
        file: 'pre_change_snapshot_20261130T175606Z.json',
        taken_at: '2026-11-30T17:56:06Z',
        figures: {
          error_rate: 0,
          p95_ms: 20,
          pool_utilization: 0.1,
          acquire_wait_p95_ms: 1,
          db_connections: 40,
          pools: { 'standby-1': { min: 10, max: 50 } },
        },
      },
      config: { duration_s: 900, interval_s: 60, settle_s: 300, tolerance: { p95_pct: 20, p95_ms: 5 } },
      samples: { total: 16, judged: 11, unmeasured: 0, file: 'post_rollback_samples.jsonl' },
      checks: [
        {
          id: 'p95_ms',
          label: 'p95 latency (median of the samples)',
          baseline: 20,
          value: 60,
          limit: '≤ 29ms',
          verdict: 'FAIL',
          shown: '60ms (baseline 20ms, ≤ 29ms)',
        },
      ],
      verdict: 'FAIL',
      exit_code: 1,
      message: 'FAIL: NOT BACK AT BASELINE: p95 latency (median of the samples) 60ms (baseline 20ms, ≤ 29ms)',
    };
    t.ok(isValid('rollback-watch-result', watch), problemsOf('rollback-watch-result', watch).join('; '));
    fs.writeFileSync(path.join(dir, 'post_rollback_watch_20261130T175950Z.json'), JSON.stringify(watch));
    const ev = new EvidenceDir(dir);
    const r = writeIncident(
      ev,
      {
        reason: 'a monitoring gap',
        trigger: 'monitor_could_not_measure',
        decision: 'ROLLBACK',
        actions: [],
        notified: [],
        operator: 'op',
        now: new Date('2026-11-30T18:15:00Z'),
      },
      null,
    );
    t.equal(r.severity, 'P1', 'a P2 trigger, but the fleet is not back: P1');
    const md = fs.readFileSync(r.file, 'utf8');
    t.match(md, /\*\*Severity\*\*: P1/);
    t.match(md, /\*\*After the rollback\*\*: FAIL: NOT BACK AT BASELINE: p95 latency/);
    t.match(
      md,
      /## Return to baseline \(rollback step 4: .*\)\n- FAIL: NOT BACK AT BASELINE: .*\(post_rollback_watch_20261130T175950Z\.json; 11 of 16 samples judged/,
    );
    t.match(md, /- FAIL p95 latency \(median of the samples\): 60ms \(baseline 20ms, ≤ 29ms\)/);
    t.match(md, /post-rollback watch ended: FAIL: NOT BACK AT BASELINE/, 'in the timeline too');
    t.match(
      fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'),
      /after the rollback: FAIL: NOT BACK AT BASELINE.*severity: P1/,
    );
    const section = rollbackSection(dir, null)!;
    t.same([section.watch?.verdict, section.watch?.file], ['FAIL', 'post_rollback_watch_20261130T175950Z.json']);
  },
);
