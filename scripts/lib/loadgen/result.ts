import type { LoadtestResult } from '../../types/loadtest-result';
import type { RunConfig } from './config';
import { loadLevelOf } from './load-level';
import { MAX_CAPTURES, type Recorder } from './recorder';
import type { StopReason } from './transport';

export interface RunFacts {
  cfg: RunConfig;
  recorder: Recorder;
  stopReason: StopReason | 'unreachable';
  startedAt: Date;
  finishedAt: Date;
  /** Clock reading when the schedule started (after warm-up), for the throughput span. */
  t0Ms: number;
  warmupMs: number;
  warmupFailures: number;
  reachable: boolean;
  pool: LoadtestResult['pool']['instances'] | null;
  toolVersion: string;
  /** What the scenario's {{run_id}} stood for. */
  templateRunId: string;
  runId?: string;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The evidence document (schemas/loadtest-result.schema.json) from what a run measured. */
export function buildResult(f: RunFacts): LoadtestResult {
  const r = f.recorder;
  const { cfg } = f;
  const scheduled = cfg.mode === 'open' ? (cfg.requests ?? 0) : r.sent;
  const sendSpanMs = r.lastSendMs - r.firstSendMs;
  const doneSpanMs = r.lastDoneMs - f.t0Ms;
  const achievedSendPerS = r.sent >= 2 && sendSpanMs > 0 ? round3(((r.sent - 1) * 1000) / sendSpanMs) : null;
  const throughputPerS = r.answered > 0 && doneSpanMs > 0 ? round3((r.answered * 1000) / doneSpanMs) : null;
  const s = cfg.scenario;
  const byName = <T>(values: T[], keep: (i: number) => boolean = () => true): Record<string, T> =>
    Object.fromEntries(values.flatMap((v, i) => (keep(i) ? [[s.requests[i]!.name, v]] : [])));
  const result: LoadtestResult = {
    kind: 'loadtest',
    tool: { name: 'poolgate', version: f.toolVersion },
    started_at: f.startedAt.toISOString(),
    finished_at: f.finishedAt.toISOString(),
    elapsed_ms: f.finishedAt.getTime() - f.startedAt.getTime(),
    config: {
      url: cfg.url,
      scenario: {
        name: s.name,
        file: s.file,
        sha256: s.sha256,
        run_id: f.templateRunId,
        allow_writes: cfg.allowWrites,
        requests: s.requests.map((q, i) => ({
          name: q.name,
          method: q.method,
          path: q.path,
          weight: cfg.weights[i]!,
          writes: q.writes,
          expect: q.expect,
        })),
      },
      mode: cfg.mode,
      requests: cfg.requests,
      duration_ms: round3(cfg.durationMs),
      rate_per_s: cfg.ratePerS === null ? null : round3(cfg.ratePerS),
      baseline_factor: cfg.baselineFactor,
      concurrency: cfg.concurrency,
      timeout_ms: cfg.timeoutMs,
      grace_ms: cfg.graceMs,
      warmup: cfg.warmup,
      targets: cfg.targets.map((t) => `${t.name}=${t.url}`),
      sample_interval_ms: cfg.sampleIntervalMs,
    },
    outcome: {
      stop_reason: f.stopReason,
      target_reachable: f.reachable,
      warmup_ms: round3(f.warmupMs),
      warmup_failures: f.warmupFailures,
    },
    requests: {
      scheduled,
      sent: r.sent,
      ok: r.ok,
      failed: r.failed,
      dropped: cfg.mode === 'open' ? Math.max(r.dropped, scheduled - r.sent) : 0,
      delayed_sends: r.delayedSends,
      aborted_in_flight: r.abortedInFlight,
      by_request: byName(r.byRequest),
    },
    errors: {
      total: r.failed,
      // Not rounded to 3 places: 1 error in 1001 (0.0999 %) must not read as the 0.1 % limit.
      rate_pct: r.sent === 0 ? null : Math.round((r.failed / r.sent) * 1e8) / 1e6,
      by_kind: r.errorCounts(),
      examples: r.examples,
    },
    rate: {
      target_per_s: cfg.ratePerS === null ? null : round3(cfg.ratePerS),
      achieved_send_per_s: achievedSendPerS,
      throughput_per_s: throughputPerS,
    },
    load_level: loadLevelOf(cfg.baseline, cfg.mode === 'open' ? achievedSendPerS : throughputPerS),
    latency_ms: r.latency(),
    send_delay_ms: r.sendDelay.summary(),
    captures: byName(
      r.captured.map((c, i) => ({
        json: s.requests[i]!.capture?.json ?? '',
        values: c.values,
        missing: c.missing,
        not_kept: c.values.length < MAX_CAPTURES ? 0 : r.byRequest[i]!.ok - c.values.length - c.missing,
      })),
      (i) => s.requests[i]!.capture !== undefined,
    ),
    pool: {
      sampled: f.pool !== null,
      interval_ms: cfg.sampleIntervalMs,
      instances: f.pool ?? [],
    },
  };
  if (f.runId) result.run_id = f.runId;
  return result;
}
