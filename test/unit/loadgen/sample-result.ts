import type { LoadtestResult } from '../../../scripts/types/loadtest-result';
import { Recorder } from '../../../scripts/lib/loadgen/recorder';
import { buildResult } from '../../../scripts/lib/loadgen/result';
import type { CounterReading } from '../../../scripts/lib/counter-reset';
import { summarizePoolSamples, type PoolSample } from '../../../scripts/lib/loadgen/pool-summary';
import type { Baseline } from '../../../scripts/lib/loadgen/load-level';
import { names, READ_SCENARIO } from './fakes';

/**
 * A schema-valid result built through the real Recorder and buildResult: `n` answers of `latencyMs`, `errors`
 * of them HTTP 500, one instance sampled with the given readings.
 */
export function sampleResult(
  o: { n?: number; latencyMs?: number; errors?: number; samples?: PoolSample[] | null; baseline?: Baseline } = {},
): LoadtestResult {
  const n = o.n ?? 1000;
  const r = new Recorder(names);
  for (let i = 0; i < n; i++) {
    const t = i * 10;
    r.recordSend(0, t, t, false);
    r.recordAnswer(0, t, t, t + (o.latencyMs ?? 5), i < (o.errors ?? 0) ? 500 : 200, i >= (o.errors ?? 0));
  }
  const samples = o.samples === undefined ? [poolSample(0, 0), poolSample(1, 10_000)] : o.samples;
  return buildResult({
    cfg: {
      url: 'http://127.0.0.1:8080',
      mode: 'open',
      requests: n,
      durationMs: n * 10,
      ratePerS: 100,
      concurrency: 50,
      timeoutMs: 10_000,
      graceMs: 10_000,
      warmup: true,
      scenario: READ_SCENARIO,
      weights: [1],
      allowWrites: false,
      baseline: o.baseline ?? null,
      baselineFactor: o.baseline ? 1 : null,
      targets: samples ? [{ name: 'primary-1', url: 'http://127.0.0.21:3000' }] : [],
      sampleIntervalMs: 1000,
    },
    recorder: r,
    stopReason: 'completed',
    startedAt: new Date('2026-02-01T02:30:00Z'),
    finishedAt: new Date('2026-02-01T02:30:10Z'),
    t0Ms: 0,
    warmupMs: 3,
    warmupFailures: 0,
    reachable: n > 0,
    pool: samples ? [{ name: 'primary-1', url: 'http://127.0.0.21:3000', ...summarizePoolSamples(samples) }] : null,
    toolVersion: '0.1.0',
    templateRunId: 'test',
  });
}

/** A pool reading from flat figures (the counters the summary differences, the rest at rest). */
export interface SampleFigures {
  ok?: boolean;
  pid?: number;
  uptimeS?: number;
  max?: number;
  utilization?: number;
  waiting?: number;
  acquireTimeouts?: number;
  poolErrors?: number;
  holdMsSum?: number;
  acquireWaitP95Ms?: number;
}

export function figuresSample(o: SampleFigures): PoolSample {
  if (o.ok === false) return { ok: false };
  const counters: CounterReading['counters'] = {
    'requests.total': 0,
    'requests.errors': 0,
    'pool.acquires': 0,
    'pool.hold_ms_sum': o.holdMsSum ?? 0,
    'pool.acquire_timeouts': o.acquireTimeouts ?? 0,
    'pool.connects': 0,
    'pool.disconnects': 0,
    'pool.errors': o.poolErrors ?? 0,
  };
  return {
    ok: true,
    reading: { pid: o.pid ?? 100, uptime_s: o.uptimeS ?? 10, counters },
    max: o.max ?? 50,
    utilization: o.utilization ?? 0,
    waiting: o.waiting ?? 0,
    acquireWaitP95Ms: o.acquireWaitP95Ms ?? 0,
  };
}

/** A reading at uptime `s` with `holdMs` cumulative hold time on a pool of 50 (10,000 ms in 1 s = 20 %). */
export function poolSample(s: number, holdMs: number, over: SampleFigures = {}): PoolSample {
  return figuresSample({ uptimeS: s, holdMsSum: holdMs, utilization: 0.1, acquireWaitP95Ms: 0.2, ...over });
}
