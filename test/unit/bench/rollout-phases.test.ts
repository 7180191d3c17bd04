import t from 'tap';
import { rollbackTiming, rolloutTiming, type RolloutEvent } from '../../../scripts/bench/rollout-phases';
import { slowestTasks } from '../../../scripts/bench/rollout';

const at = (s: number): string => new Date(Date.UTC(2026, 10, 30, 18, 0, 0) + s * 1000).toISOString();
const ev = (s: number, host: string, action: string, phase?: RolloutEvent['phase']): RolloutEvent => ({
  at: at(s),
  host,
  action,
  ...(phase ? { phase } : {}),
});

// A run as pool-scaling.yml records it: standbys one by one, both primaries drained, changed, enabled.
const events = [
  ev(0, 'localhost', 'run_started', 'prepare'),
  ev(10, 'localhost', 'plan_checked', 'prepare'),
  ev(20, 'localhost', 'passed', 'preflight'),
  ev(30, 'standby-1', 'backed_up'),
  ev(35, 'standby-1', 'lb_enabled'),
  ev(36, 'standby-2', 'backed_up'),
  ev(40, 'standby-2', 'lb_enabled'),
  ev(42, 'primary-1', 'lb_drain'),
  ev(43, 'primary-2', 'lb_drain'),
  ev(50, 'primary-1', 'lb_enabled'),
  ev(52, 'primary-2', 'lb_enabled'),
  ev(100, 'localhost', 'changed', 'done'),
];

t.test(
  'phases add up to the run (no gap between them), and only the configured load-test and monitor durations are excluded',
  async (t) => {
    const r = rolloutTiming(
      events,
      { loadtest: { started_at: at(60), ended_at: at(66) }, monitor: { started_at: at(70), ended_at: at(79) } },
      { loadtest_s: 5, monitor_s: 8 },
      (h) => h.startsWith('primary'),
    );
    t.same(
      r.phases.map((p) => p.seconds),
      [10, 10, 10, 10, 12, 8, 6, 4, 9, 21],
    );
    t.equal(r.total_s, 100);
    t.equal(r.excluding_configured_s, 87, 'a command slower than its configured duration still counts the excess');
    t.equal(r.sample_windows_s, 0, 'no sample windows given: none excluded');
    t.equal(r.excluding_all_configured_s, 87);
  },
);

t.test("preflight's and verify's configured sample windows are excluded in the second figure only", async (t) => {
  const r = rolloutTiming(
    events,
    { loadtest: { started_at: at(60), ended_at: at(66) }, monitor: { started_at: at(70), ended_at: at(79) } },
    { loadtest_s: 5, monitor_s: 8, preflight_window_s: 5, verify_window_s: 4 },
    (h) => h.startsWith('primary'),
  );
  t.equal(r.excluding_configured_s, 87, 'the first figure still counts the windows');
  t.equal(r.sample_windows_s, 9);
  t.equal(r.excluding_all_configured_s, 78, 'the second one does not');
  t.match(
    r.phases.map((p) => p.name),
    ['plan (render, check)', /preflight .*5s window/, /./, /./, /./, /verify fleet \(4s window\)/],
  );
});

t.test("timed from ansible-playbook's start to its exit when the process span is known", async (t) => {
  const r = rolloutTiming(
    events,
    { loadtest: { started_at: at(60), ended_at: at(66) }, monitor: { started_at: at(70), ended_at: at(79) } },
    { loadtest_s: 5, monitor_s: 8 },
    (h) => h.startsWith('primary'),
    { started_at: at(-3), ended_at: at(101.5) },
  );
  t.equal(r.phases[0]!.name, 'ansible start-up');
  t.equal(r.phases[0]!.seconds, 3);
  t.equal(r.phases.at(-1)!.name, 'seal, exit');
  t.equal(r.phases.at(-1)!.seconds, 1.5);
  t.equal(r.total_s, 104.5, 'the whole process, not only the span between its first and last event');
  t.equal(Math.round(r.phases.reduce((a, p) => a + p.seconds, 0) * 10) / 10, 104.5, 'the phases add up to it');
  t.equal(r.excluding_configured_s, 91.5);
});

t.test('a run without its load-test evidence or its done event is not timed', async (t) => {
  t.throws(
    () => rolloutTiming(events, {}, { loadtest_s: 5, monitor_s: 8 }, (h) => h.startsWith('primary')),
    /load-test or monitor/,
  );
  t.throws(
    () =>
      rolloutTiming(
        events.slice(0, -1),
        { loadtest: { started_at: at(1), ended_at: at(2) }, monitor: { started_at: at(3), ended_at: at(4) } },
        { loadtest_s: 5, monitor_s: 8 },
        (h) => h.startsWith('primary'),
      ),
    /done/,
  );
});

t.test(
  'rollback: from the injected trigger to rollback_started, rollback_verified and the end of the playbook',
  async (t) => {
    const rb = [
      ...events.slice(0, 8),
      ev(60, 'localhost', 'rollback_started', 'rollback'),
      ev(90, 'localhost', 'rollback_verified', 'rollback'),
    ];
    t.same(rollbackTiming(rb, at(45), at(120)), {
      detected_s: 15,
      rollback_s: 30,
      trigger_to_verified_s: 45,
      trigger_to_end_s: 75,
    });
    t.throws(() => rollbackTiming(events, at(45), at(120)), /no rollback/);
  },
);

t.test("the slowest tasks are read from profile_tasks' closing list only", async (t) => {
  const out =
    'TASK [x] ----- 9.99s\nPLAY RECAP ****\nlocalhost : ok=3\n===============\npoolgate : Run poolgate snapshot ------------------ 17.31s\nRecord the event in events.jsonl ------- 2.05s\n';
  t.same(slowestTasks(out), [
    { task: 'poolgate : Run poolgate snapshot', seconds: 17.31 },
    { task: 'Record the event in events.jsonl', seconds: 2.05 },
  ]);
});
