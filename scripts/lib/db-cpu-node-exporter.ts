import type { CpuSource } from './db-cpu';
import type { CpuObservation } from './judge/sample';
import { httpPromQuery, promString, type PromQuery } from './metrics-source/promql';

/**
 * The third DB CPU source: the database host's node exporter, read through Prometheus. Busy share of every
 * core over the window, 0..100: 100 × (1 − the mean over cores of the idle seconds per second).
 */
export function nodeCpuQuery(job: string, windowS: number): string {
  return `100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",job=${promString(job)}}[${windowS}s])))`;
}

export class NodeExporterCpuSource implements CpuSource {
  private readonly query: PromQuery;
  constructor(
    private readonly opts: { prometheusUrl: string; job: string; windowS: number; timeoutMs?: number },
    query?: PromQuery,
  ) {
    this.query = query ?? httpPromQuery(opts.prometheusUrl, opts.timeoutMs ?? 3000);
  }

  async read(nowMs: number): Promise<CpuObservation> {
    const where = `DB CPU from node exporter job "${this.opts.job}" via ${this.opts.prometheusUrl}`;
    try {
      const v = await this.query(nodeCpuQuery(this.opts.job, this.opts.windowS), nowMs / 1000);
      // No series: the exporter is not scraped (or not for long enough to have a rate) — never 0 %.
      if (v.length !== 1 || !Number.isFinite(v[0]!.value))
        return { configured: true, error: `${where}: no value (is the job scraped?)` };
      return { configured: true, pct: Math.min(100, Math.max(0, v[0]!.value)) };
    } catch (err) {
      return { configured: true, error: `${where}: ${(err as Error).message}` };
    }
  }
}
