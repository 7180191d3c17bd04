import { counterReading } from '../counter-reset';
import { readMetrics } from '../metrics-source/read-metrics';
import { JSON_SOURCE } from '../metrics-source/source';
import type { Target } from '../targets';
import type { ServiceMetrics } from '../../types/service-metrics';
import { summarizePoolSamples, type PoolSample, type PoolSummary } from './pool-summary';

export type MetricsReader = (url: string, timeoutMs: number) => Promise<ServiceMetrics>;

const readJsonMetrics: MetricsReader = (url, timeoutMs) => readMetrics({ name: url, url }, JSON_SOURCE, { timeoutMs });

export function toPoolSample(m: ServiceMetrics): PoolSample {
  return {
    ok: true,
    reading: counterReading(m),
    max: m.pool.max,
    utilization: m.pool.utilization,
    waiting: m.pool.waiting,
    acquireWaitP95Ms: m.pool.acquire_wait_ms.p95,
  };
}

const MISSING: PoolSample = { ok: false };

/**
 * Reads every target's /api/health/metrics once before the load, every interval during it and once after.
 * A target still answering the previous reading is skipped for that tick (recorded as missing) rather than
 * piling up requests on a struggling instance. A failed reading is recorded as missing, never as zero.
 */
export class PoolSampler {
  private readonly samples = new Map<string, PoolSample[]>();
  private readonly busy = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly targets: Target[],
    private readonly intervalMs: number,
    private readonly read: MetricsReader = readJsonMetrics,
  ) {
    for (const t of targets) this.samples.set(t.name, []);
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  /** Stops the timer without a last reading (cleanup after a failure); stop() is the normal end. */
  halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async stop(): Promise<Array<{ name: string; url: string } & PoolSummary>> {
    this.halt();
    await Promise.all([...this.pending]);
    await this.tick();
    return this.targets.map((t) => ({ name: t.name, url: t.url, ...summarizePoolSamples(this.samples.get(t.name)!) }));
  }

  private tick(): Promise<void> {
    // An instance under load answers its metrics late (they queue behind the load on its event loop): wait up
    // to 2 s; the next tick skips a target whose reading is still pending, so readings never pile up.
    const timeoutMs = Math.max(2000, this.intervalMs);
    const reads = this.targets.map(async (t) => {
      const list = this.samples.get(t.name)!;
      if (this.busy.has(t.name)) {
        list.push(MISSING);
        return;
      }
      this.busy.add(t.name);
      try {
        list.push(toPoolSample(await this.read(t.url, timeoutMs)));
      } catch {
        list.push(MISSING);
      } finally {
        this.busy.delete(t.name);
      }
    });
    const all = Promise.all(reads).then(() => undefined);
    this.pending.add(all);
    void all.finally(() => this.pending.delete(all));
    return all;
  }
}
