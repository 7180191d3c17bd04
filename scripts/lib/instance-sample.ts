import type { InstanceSample } from './metrics-sampler';
import type { InstanceSample as InstanceSampleEvidence } from '../types/evidence-common';

/** An instance's two samples, reduced to what evidence keeps (schemas/evidence-common.schema.json). */
export function toInstanceSample(s: InstanceSample): InstanceSampleEvidence {
  const last = s.second ?? s.first;
  return {
    name: s.name,
    url: s.url,
    error: s.error,
    rates: s.rates,
    latency_p95_ms: s.second ? s.second.latency.p95 : null,
    latency_count: s.second ? s.second.latency.count : null,
    ...(last
      ? {
          pool: {
            max: last.pool.max,
            min: last.pool.min,
            total: last.pool.total,
            active: last.pool.active,
            idle: last.pool.idle,
            waiting: last.pool.waiting,
            utilization: last.pool.utilization,
            acquire_wait_p95_ms: last.pool.acquire_wait_ms.p95,
          },
        }
      : {}),
  };
}
