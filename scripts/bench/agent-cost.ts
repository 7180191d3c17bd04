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
 * The agent's cost (issue 15): a trivial node:http handler bare and with the agent attached. Each round runs both
 * servers at once, on the same core, each under its own closed-loop generator for the same seconds, and compares
 * their CPU time per request (from /proc): whatever the machine's neighbours do during the round, they do it to
 * both. Run one after the other instead, the two figures swung 5-10 % between rounds on the shared VM, more than the
 * effect measured. Each round also pairs the bare server with a second bare one (A/A): how far that ratio strays
 * from 1 is the resolution of the figure, printed beside it. Sharing a core, each server batches fewer requests per
 * event-loop turn than alone, so the CPU per request is higher than a lone server's (the agent's share somewhat
 * lower); the req/s of each run are printed too. Then GET /api/health/metrics at a fixed 1,000 req/s of app
 * traffic, after the percentile window has filled (a full window is the worst case for the selection behind the
 * percentiles): as the client sees it, and as the server spends it (request in to response flushed).
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
  /** bare / second bare server, CPU per request, in the same round: 1 but for the machine's noise */
  control_cpu_ratio: number;
}

export async function agentCost(
  plan: BenchPlan,
  host: string,
  log: Log,
): Promise<{ results: Record<string, unknown>; checks: Check[]; text: string }> {
  log(
    `agent cost: ${plan.rounds + (plan.rounds % 2)} rounds of bare and agent at once, then bare and bare (A/A), ${plan.connections} connections each, ${plan.seconds}s${pinningOn() ? ', servers on core 0, generators on core 1' : ''}`,
  );
  const timesFile = path.join(os.tmpdir(), `poolgate-bench-metrics-${process.pid}.json`);
  const bare = await startServer(SERVER, [host, '0', 'bare']);
  const bare2 = await startServer(SERVER, [host, '0', 'bare']);
  const withAgent = await startServer(SERVER, [host, '0', 'agent'], {
    ...process.env,
    POOLGATE_BENCH_METRICS_TIMES: timesFile,
  });
  const url = (port: number): string => `http://${host}:${port}`;
  type Server = { port: number; pid: number };
  /** Two closed-loop runs at once, one per server: each one's requests per second and CPU µs per request. */
  const pair = async (x: Server, y: Server, seconds: number): Promise<{ rps: number; cpuUs: number }[]> => {
    const cpu0 = [cpuSeconds(x.pid), cpuSeconds(y.pid)];
    const runs = await Promise.all([x, y].map((s) => throughput('poolgate', url(s.port), plan.connections, seconds)));
    const cpu = [cpuSeconds(x.pid) - cpu0[0]!, cpuSeconds(y.pid) - cpu0[1]!];
    return runs.map((run, i) => {
      const served = run.result?.requests.ok ?? run.reqPerS * seconds;
      return { rps: run.reqPerS, cpuUs: (cpu[i]! / Math.max(1, served)) * 1e6 };
    });
  };
  const rounds: Round[] = [];
  const roundCount = plan.rounds + (plan.rounds % 2);
  try {
    // An unrecorded warm-up of each (JIT, sockets).
    await pair(bare, withAgent, 1);
    await pair(bare2, bare2, 1);
    // The run started first in a pair gets ~2-3 % more of the core (the A/A ratio showed it): each server goes first
    // in half the rounds, so the round count is even.
    for (let i = 0; i < roundCount; i += 1) {
      const first = i % 2 === 0;
      const [b, a] = first
        ? await pair(bare, withAgent, plan.seconds)
        : (await pair(withAgent, bare, plan.seconds)).reverse();
      const [c1, c2] = first
        ? await pair(bare, bare2, plan.seconds)
        : (await pair(bare2, bare, plan.seconds)).reverse();
      const r: Round = {
        bare: b!.rps,
        agent: a!.rps,
        ratio: a!.rps / b!.rps,
        bare_cpu_us_per_req: b!.cpuUs,
        agent_cpu_us_per_req: a!.cpuUs,
        cpu_ratio: b!.cpuUs / a!.cpuUs,
        control_cpu_ratio: c1!.cpuUs / c2!.cpuUs,
      };
      rounds.push(r);
      log(
        `  round ${i + 1}: bare ${b!.rps.toFixed(0)} req/s ${b!.cpuUs.toFixed(2)} µs CPU/req, agent ${a!.rps.toFixed(0)} req/s ${a!.cpuUs.toFixed(2)} µs CPU/req; ratios ${r.cpu_ratio.toFixed(3)} (CPU), ${r.ratio.toFixed(3)} (req/s); A/A ${r.control_cpu_ratio.toFixed(3)}`,
      );
    }
  } finally {
    await bare.stop();
    await bare2.stop();
  }
  const ratio = median(rounds.map((r) => r.ratio));
  const cpuRatio = median(rounds.map((r) => r.cpu_ratio));
  const controls = rounds.map((r) => r.control_cpu_ratio);
  const control = { median: median(controls), min: Math.min(...controls), max: Math.max(...controls) };

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
        control_cpu_ratio: control,
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
      value: `${cpuRatio.toFixed(3)} (A/A ${control.min.toFixed(3)}-${control.max.toFixed(3)})`,
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
    `  throughput ratio ${cpuRatio.toFixed(3)} by CPU per request (median of ${rounds.length} rounds: ${rounds.map((r) => r.cpu_ratio.toFixed(3)).join(', ')}), ${ratio.toFixed(3)} by req/s; A/A control ${control.median.toFixed(3)} (${control.min.toFixed(3)}-${control.max.toFixed(3)})`,
    `  GET /api/health/metrics at ${AGENT_RATE} req/s${windowFull ? ', 60 s window full' : ''}: server p50 ${serverFig.p50_ms.toFixed(2)} / p99 ${serverFig.p99_ms.toFixed(2)} ms, client p50 ${clientFig.p50_ms.toFixed(2)} / p99 ${clientFig.p99_ms.toFixed(2)} ms over ${client.length} reads`,
    '',
  ].join('\n');
  return { results, checks, text };
}
