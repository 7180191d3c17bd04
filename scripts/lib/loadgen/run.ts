import { poolgateVersion } from '../command-inputs';
import type { LoadtestResult } from '../../types/loadtest-result';
import { realClock } from './clock';
import { ClosedLoop } from './closed-loop';
import type { RunConfig } from './config';
import { WeightedPicker } from './mix';
import { OpenLoop } from './open-loop';
import { PoolSampler, type MetricsReader } from './pool-sampler';
import { Recorder } from './recorder';
import { compileScenario } from './scenario';
import { buildResult } from './result';
import { SocketTransport } from './socket-transport';
import { holdYoungGeneration } from './young-generation';
import type { ConnectionTransport, StopReason } from './transport';

export interface RunHooks {
  /** Called about once a second while the load runs (for a progress line). */
  onProgress?: (recorder: Recorder, elapsedMs: number) => void;
  runId?: string;
  /** Aborting ends the run early (SIGINT): the result is still returned, with stop_reason "interrupted". */
  signal?: AbortSignal;
  /** How the pool sampler reads an instance's metrics (default its /api/health/metrics). */
  readMetrics?: MetricsReader;
}

/**
 * One load test, start to finish: open the connections (warm-up), start sampling the instances' pools,
 * run the open or closed loop within its hard stop, take a last pool sample, close everything, and return
 * the evidence document. It returns normally whatever the service did; judging is `analyze`'s job.
 */
export async function runLoadtest(cfg: RunConfig, hooks: RunHooks = {}): Promise<LoadtestResult> {
  const startedAt = new Date();
  if (cfg.mode === 'open') holdYoungGeneration();
  // What {{run_id}} stands for: the plan's run, or this ad-hoc one (compact UTC time, safe in a path).
  const templateRunId = hooks.runId ?? `adhoc-${startedAt.toISOString().replace(/[-:]|\.\d+/g, '')}`;
  const recorder = new Recorder(
    cfg.scenario.requests.map((r) => r.name),
    cfg.mode === 'open',
  );
  const lanes = { url: cfg.url, lanes: cfg.concurrency, timeoutMs: cfg.timeoutMs, now: realClock.now };
  // Plain http gets the lean socket transport; TLS stays with undici, loaded only then.
  const transport: ConnectionTransport = cfg.url.startsWith('https:')
    ? new (await import('./http-transport')).HttpTransport(lanes, recorder)
    : new SocketTransport(lanes, recorder);
  const sampler = cfg.targets.length > 0 ? new PoolSampler(cfg.targets, cfg.sampleIntervalMs, hooks.readMetrics) : null;
  let progressTimer: NodeJS.Timeout | null = null;
  try {
    const w0 = realClock.now();
    const warm = cfg.warmup ? await transport.warmUp() : { failures: 0, messages: [] };
    const warmupMs = realClock.now() - w0;
    if (sampler) await sampler.start();
    let stopReason: StopReason | 'unreachable';
    const t0Ms = realClock.now();
    if (cfg.warmup && warm.failures === cfg.concurrency) {
      // Not one connection could be opened: running the schedule would only count refusals.
      stopReason = 'unreachable';
      for (const m of warm.messages) recorder.examples.push(`warm-up: ${m}`);
    } else {
      if (hooks.onProgress) {
        const onProgress = hooks.onProgress;
        progressTimer = setInterval(() => onProgress(recorder, realClock.now() - t0Ms), 1000);
      }
      // Bytes are encoded up front for the socket transport only; undici (https) takes the parts.
      const host = cfg.url.startsWith('https:') ? null : new URL(cfg.url).host;
      const requests = compileScenario(cfg.scenario, { host, runId: templateRunId });
      const picker = new WeightedPicker(cfg.weights);
      const nextRequest = () => requests[picker.next()]!.next();
      const loop =
        cfg.mode === 'open'
          ? new OpenLoop(
              { rate: cfg.ratePerS!, total: cfg.requests!, hardStopMs: cfg.durationMs + cfg.graceMs },
              realClock,
              transport,
              recorder,
              nextRequest,
            )
          : new ClosedLoop(
              { total: cfg.requests, durationMs: cfg.durationMs, graceMs: cfg.graceMs },
              realClock,
              transport,
              recorder,
              nextRequest,
            );
      const interrupt = (): void => loop.stop('interrupted');
      hooks.signal?.addEventListener('abort', interrupt, { once: true });
      const running = loop.run();
      if (hooks.signal?.aborted) interrupt();
      stopReason = await running;
      hooks.signal?.removeEventListener('abort', interrupt);
    }
    if (progressTimer) clearInterval(progressTimer);
    progressTimer = null;
    const poolSummary = sampler ? await sampler.stop() : null;
    const reachable = recorder.answered > 0 || (cfg.warmup && warm.failures < cfg.concurrency);
    return buildResult({
      cfg,
      recorder,
      stopReason: reachable ? stopReason : 'unreachable',
      startedAt,
      finishedAt: new Date(),
      t0Ms,
      warmupMs,
      warmupFailures: warm.failures,
      reachable,
      pool: poolSummary,
      toolVersion: poolgateVersion,
      templateRunId,
      ...(hooks.runId ? { runId: hooks.runId } : {}),
    });
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    sampler?.halt();
    await transport.close();
  }
}
