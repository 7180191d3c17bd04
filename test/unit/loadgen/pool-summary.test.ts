import t from 'tap';
import { summarizePoolSamples, type PoolSample } from '../../../scripts/lib/loadgen/pool-summary';
import { figuresSample, type SampleFigures } from './sample-result';

const s = (over: SampleFigures): PoolSample => figuresSample(over);
const missing = s({ ok: false });

t.test("utilisation per interval from the cumulative hold time (Little's law)", async (t) => {
  const r = summarizePoolSamples([
    s({ uptimeS: 10, holdMsSum: 0 }),
    s({ uptimeS: 11, holdMsSum: 10_000, utilization: 0.1 }), // 10 s of connection time in 1 s on 50 = 20 %
    s({ uptimeS: 12, holdMsSum: 45_000, utilization: 0.5 }), // 35 s in 1 s = 70 %
  ]);
  t.equal(r.utilization_peak_interval_pct, 70);
  t.equal(r.utilization_peak_sample_pct, 50);
  t.equal(r.utilization_mean_pct, 45);
  t.equal(r.samples, 3);
});

t.test('one long hold credited at release cannot read over 100 % in an interval', async (t) => {
  const r = summarizePoolSamples([
    s({ uptimeS: 10, holdMsSum: 0 }),
    s({ uptimeS: 11, holdMsSum: 80_000, utilization: 1 }),
    s({ uptimeS: 12, holdMsSum: 80_000 }),
  ]);
  t.equal(r.utilization_peak_interval_pct, 100);
  t.equal(r.utilization_mean_pct, 80, 'the whole-run mean is exact: 80 s busy of 2 s x 50');
});

t.test('counter deltas survive a restart: the new process counts from zero', async (t) => {
  const r = summarizePoolSamples([
    s({ acquireTimeouts: 5, holdMsSum: 100 }),
    s({ uptimeS: 11, acquireTimeouts: 7, holdMsSum: 200 }),
    s({ pid: 200, uptimeS: 1, acquireTimeouts: 1, holdMsSum: 10 }),
    s({ pid: 200, uptimeS: 2, acquireTimeouts: 1, holdMsSum: 20 }),
  ]);
  t.equal(r.acquire_timeouts_delta, 3, '2 before the restart, 1 after');
  t.equal(r.restarts, 1);
});

t.test('waiting streaks: consecutive readings only; a missing sample breaks the streak', async (t) => {
  const r = summarizePoolSamples([
    s({ waiting: 1 }),
    s({ waiting: 3 }),
    missing,
    s({ waiting: 2 }),
    s({ waiting: 2 }),
    s({ waiting: 0 }),
  ]);
  t.equal(r.waiting_longest_streak, 2);
  t.equal(r.waiting_max, 3);
  t.equal(r.failed_samples, 1);
  const sustained = summarizePoolSamples([s({ waiting: 1 }), s({ waiting: 1 }), s({ waiting: 1 })]);
  t.equal(sustained.waiting_longest_streak, 3);
});

t.test('no readings: nothing claimed', async (t) => {
  const r = summarizePoolSamples([missing, missing]);
  t.equal(r.samples, 0);
  t.equal(r.utilization_peak_interval_pct, null);
  t.equal(r.utilization_peak_sample_pct, null);
  t.equal(r.pool_max, null);
});
