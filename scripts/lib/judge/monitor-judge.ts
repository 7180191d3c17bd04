import type { MonitorSample } from '../../types/monitor-sample';
import type { MonitorResult } from '../../types/monitor-result';
import type { ResolvedMonitorConfig } from './monitor-defaults';
import { formatValue } from './alerts';
import { seriesOf } from './series';
import { evaluateSustained } from './sustained';
import { formatDurationS } from '../duration';

export type Firing = NonNullable<MonitorResult['trigger']>;
export type Outage = NonNullable<MonitorResult['outage']>;

export type Judgement =
  | { state: 'continue'; outage?: Outage }
  | { state: 'triggered'; trigger: Firing; outage?: Outage }
  | { state: 'could_not_measure'; outage: Outage; message: string };

/** Trailing samples in a row in which something could not be measured. */
export function consecutiveUnmeasured(samples: readonly MonitorSample[]): { count: number; what: string[] } {
  const what = new Set<string>();
  let count = 0;
  for (let i = samples.length - 1; i >= 0 && samples[i]!.unmeasured.length > 0; i--) {
    count++;
    for (const w of samples[i]!.unmeasured) what.add(w);
  }
  return { count, what: [...what].sort() };
}

/**
 * Judge the run so far, after each sample (pure). Order: a P0 signal fires at once; then the sustained
 * triggers (a breach that was measured is real even if another source is down); then the outage policy —
 * "fail": the first unmeasured sample is "could not measure"; "ignore_until": unmeasured samples are gaps
 * until `max_consecutive_unmeasured` in a row, then "could not measure"; "rollback": at that limit the
 * monitoring_outage trigger fires. An outage is never "passed".
 */
export function judgeMonitor(samples: readonly MonitorSample[], cfg: ResolvedMonitorConfig): Judgement {
  const last = samples[samples.length - 1];
  if (!last) return { state: 'continue' };
  const gap = consecutiveUnmeasured(samples);
  const limit = cfg.outage.policy === 'fail' ? 1 : cfg.outage.max_consecutive_unmeasured;
  const outage: Outage | undefined =
    gap.count > 0 ? { policy: cfg.outage.policy, consecutive_unmeasured: gap.count, limit, what: gap.what } : undefined;
  const withOutage = outage ? { outage } : {};

  if (last.p0.signalled) {
    return {
      state: 'triggered',
      trigger: {
        name: 'p0_incident',
        metric: 'p0',
        subject: last.p0.source ?? 'p0',
        value: null,
        threshold: null,
        sustained_s: 0,
        run_samples: 1,
        run_span_s: 0,
        message: `P0 incident signalled by ${last.p0.source ?? 'the P0 source'}: immediate rollback`,
      },
      ...withOutage,
    };
  }

  for (const rule of cfg.triggers) {
    for (const [subject, points] of seriesOf(samples, rule.metric, rule.scope)) {
      const r = evaluateSustained(points, rule);
      if (!r.fired) continue;
      return {
        state: 'triggered',
        trigger: {
          name: rule.name,
          metric: rule.metric,
          subject,
          value: r.last,
          threshold: rule.above,
          sustained_s: rule.sustained_s,
          run_samples: r.run_samples,
          run_span_s: r.run_span_s,
          message:
            `${rule.name}: ${rule.metric} on ${subject} is ${formatValue(rule.metric, r.last)} > ${formatValue(rule.metric, rule.above)}, ` +
            `sustained ${formatDurationS(r.run_span_s)} over ${r.run_samples} samples (limit ${formatDurationS(rule.sustained_s)}, ${rule.min_samples} samples)`,
        },
        ...withOutage,
      };
    }
  }

  if (outage && gap.count >= limit) {
    const what = `could not measure ${gap.what.join(', ')} for ${gap.count} sample(s) in a row (outage policy ${cfg.outage.policy}, limit ${limit})`;
    if (cfg.outage.policy === 'rollback') {
      return {
        state: 'triggered',
        trigger: {
          name: 'monitoring_outage',
          metric: 'unmeasured_samples',
          subject: gap.what.join(','),
          value: gap.count,
          threshold: limit,
          sustained_s: 0,
          run_samples: gap.count,
          run_span_s: 0,
          message: `monitoring_outage: ${what}`,
        },
        outage,
      };
    }
    return { state: 'could_not_measure', outage, message: what };
  }
  return { state: 'continue', ...withOutage };
}
