import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { median, pinningOn, startServer } from './child';
import { ACCOUNTS_ONLY, fixedRate, poolgateClosed, throughput } from './peers';
import type { BenchPlan } from './plan';
import type { Check } from './results-merge';

/**
 * The agent's cost (issue 15): a trivial node:http handler without the agent (the service's own pg.Pool, never used)
 * and with it attached. Each draw starts a fresh pair of servers on the same core and runs them at once, each under its
 * own closed-loop generator for the same seconds, twice (each generator started first once), and compares their CPU
 * time per request (from /proc): whatever the machine's neighbours do during the draw, they do it to both. Fresh
 * processes per draw because two identical servers kept for a whole run differed by up to 1.5 % (each process's own
 * JIT and memory layout); a fresh pair of two bare servers per draw (A/A) is the figure's resolution, printed beside
 * it. Two generators: poolgate's own (judged) and wrk. poolgate's skips its warm-up, whose GET /health on every
 * connection would run the agent's health probe against the database the bench does not have, on every round.
 * Then GET /api/health/metrics at a fixed 1,000 req/s of app traffic, after the percentile window has filled (a full
 * window is the worst case for the selection behind the percentiles): as the client sees it, and as the server spends
 * it (request in to response flushed).
 */
const SERVER = path.join(__dirname, 'agent-server.js');
export const AGENT_RATE = 1000;
const WINDOW_S = 60;
const SAMPLE_EVERY_MS = 50;
const TICK_S = 0.01; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s
const GENERATORS = ['poolgate', 'wrk'] as const;
type Generator = (typeof GENERATORS)[number];

type Log = (line: string) => void;
type Server = Awaited<ReturnType<typeof startServer>>;

function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? 0;
}

/** A process's user + system CPU seconds so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

/** One closed-loop run of a generator against one server: the requests it got answered. */
async function served(generator: Generator, url: string, connections: number, seconds: number): Promise<number> {
  if (generator === 'wrk') return (await throughput('wrk', url, connections, seconds)).reqPerS * seconds;
  const result = await poolgateClosed(url, connections, seconds, [...ACCOUNTS_ONLY, '--no-warmup']);
  return result.requests.ok;
}

/** One pair's figures under one generator: y's CPU per request / x's (> 1: y costs more), their req/s and µs. */
interface PairFigures {
  ratio: number;
  xRps: number;
  yRps: number;
  xUs: number;
  yUs: number;
}

/**
 * One draw: a fresh pair of servers (`x` then `y`) run at once, under each generator twice (each server's generator
 * started first once), the figures of each generator.
 */
async function draw(
  x: string,
  y: string,
  host: string,
  connections: number,
  seconds: number,
): Promise<Record<Generator, PairFigures>> {
  const servers: Server[] = [];
  try {
    servers.push(await startServer(SERVER, [host, '0', x]), await startServer(SERVER, [host, '0', y]));
    const url = (s: Server): string => `http://${host}:${s.port}`;
    const pair = async (generator: Generator, secs: number, yFirst: boolean): Promise<{ rps: number; us: number }[]> => {
      const order = yFirst ? [servers[1]!, servers[0]!] : servers;
      const cpu0 = servers.map((s) => cpuSeconds(s.pid));
      const counts = await Promise.all(order.map((s) => served(generator, url(s), connections, secs)));
      const byServer = yFirst ? counts.reverse() : counts;
      return servers.map((s, i) => ({
        rps: byServer[i]! / secs,
        us: ((cpuSeconds(s.pid) - cpu0[i]!) / Math.max(1, byServer[i]!)) * 1e6,
      }));
    };
    await pair('poolgate', 1, false); // unrecorded: JIT, sockets
    const out = {} as Record<Generator, PairFigures>;
    for (const generator of GENERATORS) {
      const runs = [await pair(generator, seconds, false), await pair(generator, seconds, true)];
      const mean = (f: (r: { rps: number; us: number }[]) => number): number => (f(runs[0]!) + f(runs[1]!)) / 2;
      out[generator] = {
        ratio: mean((r) => r[1]!.us / r[0]!.us),
        xRps: mean((r) => r[0]!.rps),
        yRps: mean((r) => r[1]!.rps),
        xUs: mean((r) => r[0]!.us),
        yUs: mean((r) => r[1]!.us),
      };
    }
    return out;
  } finally {
    for (const s of servers) await s.stop();
  }
}

interface Draw {
  generator: Generator;
  bare_req_per_s: number;
  agent_req_per_s: number;
  bare_cpu_us_per_req: number;
  agent_cpu_us_per_req: number;
  /** bare CPU per request / the agent's: the throughput the agent leaves (1 = free) */
  cpu_ratio: number;
  /** the same for two bare servers in a draw of their own: 1 but for the machine's noise */
  control_cpu_ratio: number;
}

const spread = (v: number[]): { median: number; min: number; max: number } => ({
  median: median(v),
  min: Math.min(...v),
  max: Math.max(...v),
});

export async function agentCost(
  plan: BenchPlan,
  host: string,
  log: Log,
): Promise<{ results: Record<string, unknown>; checks: Check[]; text: string }> {
  log(
    `agent cost: ${plan.rounds} draws of a fresh bare and agent pair, then of a bare and bare pair (A/A), each at once under poolgate then wrk, ${plan.connections} connections each, 2 × ${plan.seconds}s per generator${pinningOn() ? ', servers on core 0, generators on core 1' : ''}`,
  );
  const draws: Draw[] = [];
  for (let i = 0; i < plan.rounds; i += 1) {
    const agent = await draw('bare', 'agent', host, plan.connections, plan.seconds);
    const control = await draw('bare', 'bare', host, plan.connections, plan.seconds);
    for (const generator of GENERATORS) {
      const a = agent[generator];
      const d: Draw = {
        generator,
        bare_req_per_s: a.xRps,
        agent_req_per_s: a.yRps,
        bare_cpu_us_per_req: a.xUs,
        agent_cpu_us_per_req: a.yUs,
        cpu_ratio: 1 / a.ratio,
        control_cpu_ratio: 1 / control[generator].ratio,
      };
      draws.push(d);
      log(
        `  draw ${i + 1}, ${generator}: bare ${d.bare_req_per_s.toFixed(0)} req/s ${d.bare_cpu_us_per_req.toFixed(2)} µs CPU/req, agent ${d.agent_req_per_s.toFixed(0)} req/s ${d.agent_cpu_us_per_req.toFixed(2)} µs CPU/req; ratio ${d.cpu_ratio.toFixed(3)}; A/A ${d.control_cpu_ratio.toFixed(3)}`,
      );
    }
  }
  const by = (g: Generator): { ratio: ReturnType<typeof spread>; control: ReturnType<typeof spread> } => {
    const of = draws.filter((d) => d.generator === g);
    return { ratio: spread(of.map((d) => d.cpu_ratio)), control: spread(of.map((d) => d.control_cpu_ratio)) };
  };
  const figures = { poolgate: by('poolgate'), wrk: by('wrk') };
  const judged = figures.poolgate;

  const seconds = plan.agentSeconds;
  const timesFile = path.join(os.tmpdir(), `poolgate-bench-metrics-${process.pid}.json`);
  const withAgent = await startServer(SERVER, [host, '0', 'agent'], {
    ...process.env,
    POOLGATE_BENCH_METRICS_TIMES: timesFile,
  });
  const url = (port: number): string => `http://${host}:${port}`;
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
        draws,
        // bare CPU per request / the agent's, median of the draws, per generator; poolgate's is judged
        cpu_ratio: { poolgate: figures.poolgate.ratio, wrk: figures.wrk.ratio },
        control_cpu_ratio: { poolgate: figures.poolgate.control, wrk: figures.wrk.control },
        connections: plan.connections,
        seconds_per_run: plan.seconds,
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
      value: `${judged.ratio.median.toFixed(3)} (A/A ${judged.control.min.toFixed(3)}-${judged.control.max.toFixed(3)}; wrk ${figures.wrk.ratio.median.toFixed(3)})`,
      target: '≥ 0.98',
      pass: judged.ratio.median >= 0.98,
    },
    {
      name: `agent: /api/health/metrics p99 at ${AGENT_RATE} req/s (server)`,
      value: `${serverFig.p99_ms.toFixed(2)} ms (client ${clientFig.p99_ms.toFixed(2)})${windowFull ? '' : ' (window not full)'}`,
      target: '≤ 5 ms',
      pass: serverFig.p99_ms <= 5 && server.length > 0,
    },
  ];
  const text = [
    'agent cost (trivial node:http handler, without / with the agent attached):',
    ...GENERATORS.map((g) => {
      const f = figures[g];
      const of = draws.filter((d) => d.generator === g).map((d) => d.cpu_ratio.toFixed(3));
      return `  throughput ratio under ${g}${g === 'poolgate' ? ' (judged)' : ''}: ${f.ratio.median.toFixed(3)} by CPU per request (median of ${of.length} draws: ${of.join(', ')}); A/A control ${f.control.median.toFixed(3)} (${f.control.min.toFixed(3)}-${f.control.max.toFixed(3)})`;
    }),
    `  GET /api/health/metrics at ${AGENT_RATE} req/s${windowFull ? ', 60 s window full' : ''}: server p50 ${serverFig.p50_ms.toFixed(2)} / p99 ${serverFig.p99_ms.toFixed(2)} ms, client p50 ${clientFig.p50_ms.toFixed(2)} / p99 ${clientFig.p99_ms.toFixed(2)} ms over ${client.length} reads`,
    '',
  ].join('\n');
  return { results, checks, text };
}
