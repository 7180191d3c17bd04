import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { median, pinningOn, startServer } from './child';
import { fixedRate, throughput } from './peers';
import type { BenchPlan } from './plan';
import type { Check } from './results-merge';

/**
 * The agent's cost (issue 15): a trivial node:http handler bare and with the agent attached, in alternating rounds.
 * Two views of the same rounds: requests per second (the median of per-round ratios), and the server's CPU time
 * per request read from /proc (the ratio bare/agent). On an idle machine they agree: the server's core is
 * saturated, so throughput is 1 / CPU per request. On a shared one the first swings with the neighbours' load
 * (tens of per cent between rounds) while the second still measures the agent's own work, so that is the figure
 * judged, and both are printed. Then GET /api/health/metrics at a fixed 1,000 req/s of app traffic, after the
 * percentile window has filled (a full window is the worst case for the selection behind the percentiles):
 * as the client sees it, and as the server spends it (request in to response flushed).
 */
const SERVER = path.join(__dirname, 'agent-server.js');
export const AGENT_RATE = 1000;
const WINDOW_S = 60;
const SAMPLE_EVERY_MS = 50;
const TICK_S = 0.01; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

type Log = (line: string) => void;

function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? 0;
}

/** A process's user + system CPU seconds so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

interface Round {
  bare: number;
  agent: number;
  ratio: number;
  bare_cpu_us_per_req: number;
  agent_cpu_us_per_req: number;
  cpu_ratio: number;
}

export async function agentCost(
  plan: BenchPlan,
  host: string,
  log: Log,
): Promise<{ results: Record<string, unknown>; checks: Check[]; text: string }> {
  log(
    `agent cost: ${plan.rounds} rounds x bare / agent, ${plan.connections} connections, ${plan.seconds}s each${pinningOn() ? ', server on core 0, generator on core 1' : ''}`,
  );
  const timesFile = path.join(os.tmpdir(), `poolgate-bench-metrics-${process.pid}.json`);
  const bare = await startServer(SERVER, [host, '0', 'bare']);
  const withAgent = await startServer(SERVER, [host, '0', 'agent'], {
    ...process.env,
    POOLGATE_BENCH_METRICS_TIMES: timesFile,
  });
  const url = (port: number): string => `http://${host}:${port}`;
  /** One closed-loop run: requests per second and the server's CPU µs per request. */
  const measure = async (s: { port: number; pid: number }): Promise<{ rps: number; cpuUs: number }> => {
    // A second's unrecorded run first: whichever server had sat idle through the other's run started slower.
    await throughput('poolgate', url(s.port), plan.connections, 1);
    const cpu0 = cpuSeconds(s.pid);
    const run = await throughput('poolgate', url(s.port), plan.connections, plan.seconds);
    const cpu = cpuSeconds(s.pid) - cpu0;
    const served = run.result?.requests.ok ?? run.reqPerS * plan.seconds;
    return { rps: run.reqPerS, cpuUs: (cpu / Math.max(1, served)) * 1e6 };
  };
  const rounds: Round[] = [];
  // An even count, so each server goes first as often as the other.
  const roundCount = plan.rounds + (plan.rounds % 2);
  try {
    for (let i = 0; i < roundCount; i += 1) {
      // Alternate which goes first (ABBA), so a machine that slows or speeds up over the run biases neither.
      const [b, a] =
        i % 2 === 0
          ? [await measure(bare), await measure(withAgent)]
          : await measure(withAgent).then(async (a) => [await measure(bare), a] as const);
      const r: Round = {
        bare: b.rps,
        agent: a.rps,
        ratio: a.rps / b.rps,
        bare_cpu_us_per_req: b.cpuUs,
        agent_cpu_us_per_req: a.cpuUs,
        cpu_ratio: b.cpuUs / a.cpuUs,
      };
      rounds.push(r);
      log(
        `  round ${i + 1}: bare ${b.rps.toFixed(0)} req/s ${b.cpuUs.toFixed(1)} µs CPU/req, agent ${a.rps.toFixed(0)} req/s ${a.cpuUs.toFixed(1)} µs CPU/req; ratios ${r.ratio.toFixed(3)} (req/s), ${r.cpu_ratio.toFixed(3)} (CPU)`,
      );
    }
  } finally {
    await bare.stop();
  }
  const ratio = median(rounds.map((r) => r.ratio));
  // Medians over an even count: each server went first in half the rounds, and one round disturbed by a neighbour
  // moves a median less than a mean.
  const cpuRatio = median(rounds.map((r) => r.cpu_ratio));

  const seconds = plan.agentSeconds;
  log(
    `agent metrics read: ${AGENT_RATE} req/s of app traffic for ${seconds}s, GET /api/health/metrics every ${SAMPLE_EVERY_MS} ms`,
  );
  const reads: { at: number; ms: number }[] = [];
  let sampling = true;
  const started = Date.now();
  const sampler = (async () => {
    while (sampling) {
      const t0 = performance.now();
      const res = await request(`${url(withAgent.port)}/api/health/metrics`);
      await res.body.text();
      reads.push({ at: Date.now() - started, ms: performance.now() - t0 });
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  try {
    await fixedRate('poolgate', url(withAgent.port), AGENT_RATE, plan.connections, seconds);
  } finally {
    sampling = false;
    await sampler;
    await withAgent.stop();
  }
  const serverMs = fs.existsSync(timesFile) ? (JSON.parse(fs.readFileSync(timesFile, 'utf8')) as number[]) : [];
  fs.rmSync(timesFile, { force: true });
  // Judged once the window is full (a window's worth of traffic in it); a shorter run judges all its reads. The
  // server's times are in the same order as the client's reads.
  const firstFull = reads.findIndex((r) => r.at >= WINDOW_S * 1000);
  const windowFull = firstFull !== -1 && reads.length - firstFull >= 20;
  const from = windowFull ? firstFull : 0;
  const client = reads
    .slice(from)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const server = serverMs.slice(from, from + client.length).sort((a, b) => a - b);
  const fig = (v: number[]): { p50_ms: number; p99_ms: number; max_ms: number } => ({
    p50_ms: nearestRank(v, 50),
    p99_ms: nearestRank(v, 99),
    max_ms: v.at(-1) ?? 0,
  });
  const clientFig = fig(client);
  const serverFig = fig(server);
  const loadavg = os.loadavg()[0]!;

  const results = {
    agent: {
      measured_at: new Date().toISOString(),
      loadavg_1m_at_end: loadavg,
      throughput: {
        rounds,
        ratio_median_of_rounds: ratio,
        cpu_ratio_median_of_rounds: cpuRatio,
        connections: plan.connections,
        seconds: plan.seconds,
      },
      metrics_read: {
        app_rate_per_s: AGENT_RATE,
        seconds,
        reads: client.length,
        window_full: windowFull,
        client: clientFig,
        server: serverFig,
      },
    },
  };
  const checks: Check[] = [
    {
      name: 'agent: throughput with / without (CPU per request)',
      value: `${cpuRatio.toFixed(3)} (req/s ${ratio.toFixed(3)})`,
      target: '≥ 0.98',
      pass: cpuRatio >= 0.98,
    },
    {
      name: `agent: /api/health/metrics p99 at ${AGENT_RATE} req/s (server)`,
      value: `${serverFig.p99_ms.toFixed(2)} ms (client ${clientFig.p99_ms.toFixed(2)})${windowFull ? '' : ' (window not full)'}`,
      target: '≤ 5 ms',
      pass: serverFig.p99_ms <= 5 && server.length > 0,
    },
  ];
  const text = [
    'agent cost (trivial node:http handler, bare vs with the agent attached):',
    `  throughput ratio ${cpuRatio.toFixed(3)} by CPU per request, ${ratio.toFixed(3)} by req/s (medians of ${rounds.length} rounds; req/s rounds: ${rounds.map((r) => r.ratio.toFixed(3)).join(', ')})`,
    `  GET /api/health/metrics at ${AGENT_RATE} req/s${windowFull ? ', 60 s window full' : ''}: server p50 ${serverFig.p50_ms.toFixed(2)} / p99 ${serverFig.p99_ms.toFixed(2)} ms, client p50 ${clientFig.p50_ms.toFixed(2)} / p99 ${clientFig.p99_ms.toFixed(2)} ms over ${client.length} reads`,
    '',
  ].join('\n');
  return { results, checks, text };
}
