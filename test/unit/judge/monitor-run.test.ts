import t from 'tap';
import { resolveMonitorConfig } from '../../../scripts/lib/judge/monitor-defaults';
import type { MonitorWindow } from '../../../scripts/lib/judge/monitor-summary';
import { runMonitor, type MonitorIo } from '../../../scripts/lib/monitor-run';
import { isValid, problemsOf } from '../../../scripts/lib/schema';
import type { MonitorSample } from '../../../scripts/types/monitor-sample';
import { metrics, T0, type MetricsOverrides } from './fixtures';

/** A fake fleet on a virtual clock: `answer(name, elapsedS)` gives that instance's counters, or throws. */
function fakeIo(answer: (name: string, s: number) => MetricsOverrides, extra: Partial<MonitorIo> = {}) {
  let now = T0;
  const samples: MonitorSample[] = [];
  const windows: MonitorWindow[] = [];
  const io: MonitorIo = {
    fetchMetrics: async (target) => {
      const s = (now - T0) / 1000;
      return metrics(target.name, { at: s, ...answer(target.name, s) });
    },
    p0: async () => ({ signalled: false }),
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    onSample: (s) => samples.push(s),
    onWindow: (w) => windows.push(w),
    ...extra,
  };
  return { io, samples, windows };
}

const targets = [{ name: 'a', url: 'http://127.0.0.1:1' }];

t.test('a clean hour at 5-minute sampling: 13 samples, passed, 12 windows', async (t) => {
  const { io, samples, windows } = fakeIo((_, s) => ({ total: s * 10, p95: 50 }));
  const r = await runMonitor(resolveMonitorConfig(), targets, io, new AbortController().signal, false);
  t.equal(r.verdict, 'PASS');
  t.equal(r.exit_code, 0);
  t.equal(r.completed, true);
  t.equal(samples.length, 13);
  t.equal(samples[12]!.elapsed_s, 3600);
  t.equal(windows.length, 12);
  t.ok(
    isValid('monitor-result', { ...r, files: { samples: 'x', alerts: 'y' } }),
    problemsOf('monitor-result', { ...r, files: { samples: 'x', alerts: 'y' } }).join('; '),
  );
});

t.test('a trigger stops the run early and is named', async (t) => {
  const { io, samples } = fakeIo((_, s) => ({ total: s * 10, p95: s >= 600 ? 1500 : 50 }));
  const r = await runMonitor(resolveMonitorConfig(), targets, io, new AbortController().signal, false);
  t.equal(r.verdict, 'FAIL');
  t.equal(r.exit_code, 1);
  t.equal(r.trigger?.name, 'p95_latency_sustained');
  t.equal(samples.length, 4, 'breaches at 10 and 15 min: sustained 5 min at the 4th sample');
  t.equal(r.completed, false);
  t.ok(r.alerts.critical >= 2);
});

t.test('an interrupted run is could-not-measure, not passed', async (t) => {
  const ac = new AbortController();
  const { io } = fakeIo((_, s) => {
    if (s >= 900) ac.abort();
    return { total: s * 10 };
  });
  const r = await runMonitor(resolveMonitorConfig(), targets, io, ac.signal, false);
  t.equal(r.verdict, 'COULD_NOT_MEASURE');
  t.equal(r.exit_code, 3);
  t.match(r.message, /interrupted/);
});

t.test('a throwing source is unmeasured, not a crash', async (t) => {
  const { io } = fakeIo((_, s) => ({ total: s }), {
    fetchMetrics: async () => {
      throw new Error('ECONNREFUSED');
    },
  });
  const r = await runMonitor(
    resolveMonitorConfig({ outage: { policy: 'fail' } }),
    targets,
    io,
    new AbortController().signal,
    false,
  );
  t.equal(r.verdict, 'COULD_NOT_MEASURE');
  t.equal(r.samples.total, 1);
});
