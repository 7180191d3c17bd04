import { counterReset, type CounterReading } from '../counter-reset';
import type { LoadtestResult } from '../../types/loadtest-result';

/** One /api/health/metrics reading, reduced to what the load-test judgement needs. `ok: false` = no reading. */
export type PoolSample =
  | { ok: false }
  | {
      ok: true;
      reading: CounterReading;
      max: number;
      utilization: number;
      waiting: number;
      acquireWaitP95Ms: number;
    };

/** One instance's pool over the load test, as loadtest-result.schema.json records it (without its name and url). */
export type PoolSummary = Omit<LoadtestResult['pool']['instances'][number], 'name' | 'url'>;

const pct = (x: number): number => Math.round(x * 10000) / 100;

/**
 * Reduces one instance's samples (in time order, the first taken before the load starts). Counters are
 * cumulative: deltas between two readings of the same process are exact; after a restart (scripts/lib/
 * counter-reset.ts) the new reading counts from zero. Utilisation per interval is Little's law on the
 * cumulative connection hold time — busy connection-ms / (interval ms x max) — so a burst between two
 * samples is not missed the way an instantaneous active/max reading misses it. A missing sample breaks a
 * waiting streak: "sustained" is only claimed from consecutive readings.
 */
export function summarizePoolSamples(samples: PoolSample[]): PoolSummary {
  const out: PoolSummary = {
    samples: 0,
    failed_samples: 0,
    pool_max: null,
    restarts: 0,
    utilization_peak_interval_pct: null,
    utilization_peak_sample_pct: null,
    utilization_mean_pct: null,
    waiting_max: null,
    waiting_longest_streak: 0,
    acquire_timeouts_delta: 0,
    pool_errors_delta: 0,
    acquire_wait_p95_max_ms: null,
  };
  let prev: Extract<PoolSample, { ok: true }> | null = null;
  let streak = 0;
  let busyMs = 0;
  let capacityMs = 0;
  let peakInterval = -1;
  for (const s of samples) {
    if (!s.ok) {
      out.failed_samples++;
      streak = 0;
      continue;
    }
    out.samples++;
    out.pool_max = s.max;
    out.utilization_peak_sample_pct = Math.max(out.utilization_peak_sample_pct ?? 0, pct(s.utilization));
    out.waiting_max = Math.max(out.waiting_max ?? 0, s.waiting);
    out.acquire_wait_p95_max_ms = Math.max(out.acquire_wait_p95_max_ms ?? 0, s.acquireWaitP95Ms);
    streak = s.waiting > 0 ? streak + 1 : 0;
    out.waiting_longest_streak = Math.max(out.waiting_longest_streak, streak);
    if (prev) {
      const [was, now] = [prev.reading, s.reading];
      if (counterReset(was, now)) {
        out.restarts++;
        out.acquire_timeouts_delta += now.counters['pool.acquire_timeouts'];
        out.pool_errors_delta += now.counters['pool.errors'];
      } else {
        out.acquire_timeouts_delta += now.counters['pool.acquire_timeouts'] - was.counters['pool.acquire_timeouts'];
        out.pool_errors_delta += now.counters['pool.errors'] - was.counters['pool.errors'];
        const dtMs = (now.uptime_s - was.uptime_s) * 1000;
        if (dtMs > 0 && s.max > 0) {
          const busy = now.counters['pool.hold_ms_sum'] - was.counters['pool.hold_ms_sum'];
          busyMs += busy;
          capacityMs += dtMs * s.max;
          // Hold time is credited when a connection is released, so under overload a hold longer than the
          // interval lands in one interval and reads over 100 %: cap it (the whole-run mean stays exact).
          peakInterval = Math.max(peakInterval, Math.min(1, busy / (dtMs * s.max)));
        }
      }
    }
    prev = s;
  }
  if (peakInterval >= 0) out.utilization_peak_interval_pct = pct(peakInterval);
  if (capacityMs > 0) out.utilization_mean_pct = pct(busyMs / capacityMs);
  return out;
}
