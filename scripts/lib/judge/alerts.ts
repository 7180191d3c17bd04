import type { Alert } from '../../types/monitor-result';
import type { MonitorSample } from '../../types/monitor-sample';
import type { AlertRule } from './monitor-defaults';
import { valuesAt } from './series';
import { breaches } from './sustained';

const RANK = { warning: 1, critical: 2 } as const;

/**
 * The alerts one sample raises (alert levels need no sustain: they are what an operator watches). Strict `>` and
 * `<`, like the triggers. Per metric and subject only the most severe level breached is raised (utilisation 90 % is
 * one CRITICAL, not a WARNING and a CRITICAL), at the highest threshold it passed (the lowest floor it fell under).
 */
export function alertsFor(sample: MonitorSample, rules: readonly AlertRule[]): Alert[] {
  const best = new Map<string, Alert>();
  for (const rule of rules) {
    for (const { subject, value } of valuesAt(sample, rule.metric, rule.scope)) {
      const over = rule.above !== undefined && breaches(value, rule.above);
      const under = !over && rule.below !== undefined && value !== null && Number.isFinite(value) && value < rule.below;
      if (!over && !under) continue;
      const threshold = over ? rule.above! : rule.below!;
      const key = `${rule.metric}\u0000${subject}`;
      const prev = best.get(key);
      const further = (a: number, b: number): boolean => (under ? a < b : a > b);
      const better =
        !prev ||
        RANK[rule.level] > RANK[prev.level] ||
        (RANK[rule.level] === RANK[prev.level] && further(threshold, prev.threshold));
      if (better)
        best.set(key, {
          at: sample.at,
          level: rule.level,
          metric: rule.metric,
          subject,
          value: value!,
          threshold,
          ...(under ? { direction: 'below' as const } : {}),
        });
    }
  }
  return [...best.values()];
}

/** One alerts.log line: timestamp, level, metric, value, threshold, instance. */
export function alertLine(a: Alert): string {
  const threshold = `${a.direction === 'below' ? '<' : ''}${formatValue(a.metric, a.threshold)}`;
  return `${a.at} ${a.level.toUpperCase().padEnd(8)} metric=${a.metric} value=${formatValue(a.metric, a.value)} threshold=${threshold} instance=${a.subject}`;
}

/** Fractions as percents, milliseconds as ms: how the runbook writes its thresholds. */
export function formatValue(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  if (metric === 'error_rate' || metric === 'pool_utilization') return `${Number((v * 100).toFixed(3))}%`;
  if (metric.endsWith('_ms')) return `${Number(v.toFixed(1))}ms`;
  if (metric === 'db_cpu_pct') return `${Number(v.toFixed(1))}%`;
  if (metric === 'db_backends') return String(Math.round(v));
  return `${Number(v.toFixed(2))}/s`;
}
