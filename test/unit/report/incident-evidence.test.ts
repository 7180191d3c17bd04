import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { EvidenceDir } from '../../../scripts/lib/evidence';
import { writeIncident } from '../../../scripts/lib/incident';
import { severityFor } from '../../../scripts/lib/trigger';
import { failedGate, rollbackActions, timelineFrom } from '../../../scripts/lib/incident-evidence';

/**
 * The incident of a real rolled-back lab run (test/fixtures/evidence-run/rollback: run with verify's p95 limit set
 * below any real latency, so verify failed on all four instances after every one was changed; the rollback
 * restored all four and read them back).
 */
const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'evidence-run', 'rollback');

/** A copy of the fixture without its old incident, plus what poolgate notify would have recorded. */
function runDir(t: Test, withNotifications = true): string {
  const dir = t.testdir({});
  for (const f of fs.readdirSync(FIXTURE)) {
    if (f === 'incidents' || f === 'rollback_log.txt' || f === 'notifications.jsonl') continue;
    fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
  }
  if (withNotifications) {
    const n = (event: string, at: string, ok: boolean, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        event,
        at,
        ok,
        target: 'http://127.0.13.60:4000/…',
        run_id: 'fixture-verify-failed',
        ...extra,
      });
    fs.writeFileSync(
      path.join(dir, 'notifications.jsonl'),
      [
        n('start', '2026-12-06T13:59:28.000Z', true, { status: 200 }),
        n('gate_failed', '2026-12-06T14:00:06.000Z', true, { status: 200 }),
        n('rollback', '2026-12-06T14:00:26.500Z', false, { error: 'timeout after 3000 ms' }),
      ].join('\n') + '\n',
    );
  }
  return dir;
}

const now = new Date('2026-12-06T14:00:27.000Z');
const input = {
  reason: 'an operator saw p95 climb',
  trigger: 'verify_failed',
  decision: 'ROLLBACK',
  actions: [],
  notified: ['webhook (see notifications.jsonl)'],
  operator: 'lab-operator',
  now,
};

void t.test('(a) the timeline comes from events.jsonl, ordered by time, not from file times', async (t) => {
  const dir = runDir(t);
  // file times say nothing: make every file look written now
  for (const f of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, f), new Date(), new Date());
  const tl = timelineFrom(dir);
  const whats = tl.map((e) => e.what);
  t.notMatch(whats.join('\n'), /evidence written/, "no entry from a file's modification time");
  const at = tl.map((e) => Date.parse(e.at));
  t.same(
    at,
    [...at].sort((a, b) => a - b),
    'ordered by time',
  );
  const index = (re: RegExp): number => whats.findIndex((w) => re.test(w));
  t.ok(index(/^run fixture-verify-failed started by lab-operator/) === 0, "the run's start comes first");
  t.ok(index(/^standby-1: config backed up/) < index(/^standby-1: applying by sighup/), 'backed up before applying');
  t.ok(
    index(/^standby-1: applying by sighup/) < index(/^standby-1: read back max 200 \/ min 20 in force/),
    'applied, then read back',
  );
  t.ok(index(/^primary-1: drained at HAProxy \(DRAIN, 0 sessions\)/) >= 0, 'the drain at HAProxy');
  t.ok(
    index(/^ROLLBACK started: Run and judge poolgate verify on localhost: poolgate verify gate failed/) >
      index(/^primary-2: enabled at HAProxy/),
    'the rollback after the traffic came back',
  );
  t.ok(
    index(
      /^ROLLBACK verified: restored primary-1, primary-2, standby-1, standby-2; every instance runs max 50 \/ min 10$/,
    ) > index(/^standby-2: read back max 50 \/ min 10 in force/),
    'the verified read-back after the last restore',
  );
  t.ok(index(/^notified rollback/) > index(/^ROLLBACK verified/), 'the rollback announced after its read-back');
});

void t.test("(b) the failing gate's figures: in the reason and the timeline", async (t) => {
  const dir = runDir(t);
  const gate = failedGate(dir)!;
  t.same([gate.gate, gate.file, gate.at], ['verify', 'verify_20261206T135959Z.json', '2026-12-06T14:00:04.645Z']);
  t.same(
    gate.figures.map((f) => f.item),
    ['p95 latency standby-1', 'p95 latency standby-2', 'p95 latency primary-1', 'p95 latency primary-2'],
    'only the FAIL items, not the WARNs',
  );
  t.same(gate.figures[2], {
    item: 'p95 latency primary-1',
    measured: '27.1 ms',
    threshold: '< 0.01 ms, ≤ +20.00 % vs 43.9 ms',
  });
  const md = fs.readFileSync(writeIncident(new EvidenceDir(dir), input, null).file, 'utf8');
  t.match(
    md,
    /\*\*Reason\*\*: an operator saw p95 climb — verify: p95 latency standby-1: measured 20\.1 ms \(threshold < 0\.01 ms\)/,
    "the operator's words, then what the gate measured",
  );
  t.match(
    md,
    /- 2026-12-06T14:00:04\.645Z — verify FAILED \(verify_20261206T135959Z\.json\): p95 latency standby-1: measured 20\.1 ms/,
  );
  t.match(
    fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'),
    /Rollback reason: .* p95 latency primary-1: measured 27\.1 ms/,
    'and in rollback_log.txt',
  );
  // The playbook's reason is the failed command's own verdict line: the figures are not said twice.
  const again = runDir(t);
  const said = {
    ...input,
    reason: `Run and judge poolgate verify on localhost: poolgate verify gate failed: ${gate.message}`,
  };
  const log =
    (writeIncident(new EvidenceDir(again), said, null), fs.readFileSync(path.join(again, 'rollback_log.txt'), 'utf8'));
  t.notMatch(log, /measured 27\.1 ms/, 'no second copy of the figures');
  t.match(log, /p95 latency primary-1: 27\.1 ms \(threshold < 0\.01 ms/);
});

void t.test('(c) severity follows the trigger the failed step returned', async (t) => {
  t.match(
    fs.readFileSync(path.join(FIXTURE, 'rollback_log.txt'), 'utf8'),
    /trigger: verify_failed, severity: P1/,
    "the real run: verify's own `stop` named the trigger (it was rollout_step_failed, P2, when task names decided)",
  );
  const r = writeIncident(new EvidenceDir(runDir(t)), input, null);
  t.equal(r.severity, 'P1', 'verify_failed is P1');
  t.equal(severityFor('loadtest_failed'), 'P1');
  t.equal(severityFor('health_check_failed'), 'P1');
  t.equal(severityFor('p95_latency_sustained'), 'P1');
  t.equal(severityFor('rollback_incomplete'), 'P0');
  t.equal(severityFor('lb_switch_failed'), 'P2', 'no customer impact: P2');
  t.equal(severityFor('verify_could_not_measure'), 'P2', 'could not measure is never a failure');
  t.equal(severityFor('a_custom_monitor_trigger'), 'P2');
});

void t.test('(d) who was notified, from notifications.jsonl', async (t) => {
  const md = fs.readFileSync(writeIncident(new EvidenceDir(runDir(t)), input, null).file, 'utf8');
  const notified = md.split('## Notified\n')[1]!.split('\n## ')[0]!;
  t.match(notified, /- webhook \(see notifications\.jsonl\)/);
  t.match(
    notified,
    /- 2026-12-06T13:59:28\.000Z — notified start via webhook http:\/\/127\.0\.13\.60:4000\/…: delivered \(HTTP 200\)/,
  );
  t.match(notified, /- 2026-12-06T14:00:06\.000Z — notified gate_failed .*: delivered/);
  t.match(notified, /- 2026-12-06T14:00:26\.500Z — notified rollback .*: NOT delivered: timeout after 3000 ms/);
  t.match(md, /- 2026-12-06T14:00:06\.000Z — notified gate_failed/, 'and in the timeline');
  const none = fs.readFileSync(
    writeIncident(new EvidenceDir(runDir(t, false)), { ...input, notified: [] }, null).file,
    'utf8',
  );
  t.match(none, /## Notified\n- nobody recorded/, 'without either, it says nobody');
});

void t.test("(e) actions with timestamps, ending with the rollback's outcome", async (t) => {
  const dir = runDir(t);
  const r = rollbackActions(dir);
  t.equal(r.actions[0]!.at, '2026-12-06T14:00:05.097124Z', "from the rollback's start");
  t.match(
    r.outcome,
    /^VERIFIED at 2026-12-06T14:00:26\.198486Z: restored primary-1, primary-2, standby-1, standby-2; every instance runs max 50 \/ min 10$/,
  );
  const md = fs.readFileSync(
    writeIncident(
      new EvidenceDir(dir),
      { ...input, actions: ['restored from backup and read back: primary-1, primary-2, standby-1, standby-2'] },
      null,
    ).file,
    'utf8',
  );
  const actions = md.split('## Actions taken\n')[1]!.split('\n## ')[0]!;
  t.match(actions, /- 2026-12-06T14:00:18\.411959Z — primary-1: applying by sighup/);
  t.match(actions, /- 2026-12-06T14:00:19\.117264Z — primary-1: read back max 50 \/ min 10 in force/);
  t.match(actions, /- 2026-12-06T14:00:27\.000Z — restored from backup and read back: primary-1/);
  t.match(actions, /- Rollback outcome: VERIFIED at 2026-12-06T14:00:26\.198486Z/);
  t.match(md, /\*\*Rollback outcome\*\*: VERIFIED/);
  // An incomplete rollback says so.
  fs.appendFileSync(
    path.join(dir, 'events.jsonl'),
    `${JSON.stringify({ at: '2026-12-06T14:01:00Z', host: 'localhost', phase: 'rollback', action: 'rollback_incomplete', reason: 'x', error: 'primary-2 runs max 200 after the rollback' })}\n`,
  );
  t.match(
    rollbackActions(dir).outcome,
    /^INCOMPLETE at 2026-12-06T14:01:00Z: primary-2 runs max 200 after the rollback$/,
  );
});
