import type { LoadtestResult } from '../../../scripts/types/loadtest-result';
import { Recorder } from '../../../scripts/lib/loadgen/recorder';
import { buildResult } from '../../../scripts/lib/loadgen/result';
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

/** A reading at uptime `s` with `holdMs` cumulative hold time on a pool of 50 (10,000 ms in 1 s = 20 %). */
export function poolSample(s: number, holdMs: number, over: Partial<PoolSample> = {}): PoolSample {
  return {
    ok: true,
    pid: 100,
    uptimeS: s,
    max: 50,
    utilization: 0.1,
    waiting: 0,
    acquireTimeouts: 0,
    poolErrors: 0,
    holdMsSum: holdMs,
    acquireWaitP95Ms: 0.2,
    ...over,
  };
}
