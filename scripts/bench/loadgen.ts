import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../lib/paths';
import { median, pinningOn, runChild, startServer } from './child';
import {
  ACCOUNTS_ONLY,
  fixedRate,
  JOURNAL_ONLY,
  poolgateClosed,
  poolgateRun,
  smoothness,
  throughput,
  TOOLS,
  type PeerRun,
  type Smoothness,
  type Tool,
} from './peers';
import type { BenchPlan } from './plan';
import type { Check } from './results-merge';
import { table } from '../lib/output';

/**
 * The load-generator sections of the bench (issue 7 items 2 to 5) against a minimal server in its own process
 * (so the generator is the bottleneck), and the same closed-loop peers through the lab's HAProxy (the real path).
 * Peers run alternately (A B C D, A B C D, ...) so a noisy neighbour hits them all alike; medians are reported.
 */
const SERVER = path.join(__dirname, 'minimal-server.js');
const POOLGATE = path.join(packageRoot, 'bin', 'poolgate.js');

export interface SectionOutput {
  results: Record<string, unknown>;
  checks: Check[];
  text: string;
}

/** poolgate loadtest at the plan's fixed rate against one URL (the accuracy and the stall runs). */
const fixedRateArgs = (url: string, plan: { rate: number; seconds: number; connections: number }): string[] => [
  '--url',
  url,
  '--rate',
  String(plan.rate),
  '--duration',
  `${plan.seconds}s`,
  '--concurrency',
  String(plan.connections),
  ...ACCOUNTS_ONLY,
];

type Log = (line: string) => void;
type StallView = { p99_ms: number | null; p95_ms?: number | null; note: string };


/** `host` is a loopback address of the bench's slot (127.0.<slot>.70), where the minimal servers listen. */
export async function loadgenSections(plan: BenchPlan, host: string, log: Log): Promise<SectionOutput> {
  const results: Record<string, unknown> = {};
  const checks: Check[] = [];

  // 1. Throughput, closed loop, minimal server in its own process.
  log(
    `throughput: ${plan.rounds} rounds x ${TOOLS.join(', ')}, ${plan.connections} connections, ${plan.seconds}s each${pinningOn() ? ', server on core 0, generators on core 1' : ''}`,
  );
  const server = await startServer(SERVER, [host, '0']);
  const url = `http://${host}:${server.port}`;
  const runs: Record<Tool, PeerRun[]> = { poolgate: [], autocannon: [], wrk: [], hey: [] };
  try {
    // A short unrecorded round first: the server's JIT, the page cache and the CPU governor warm up on it,
    // not on the first recorded tool.
    for (const tool of TOOLS) await throughput(tool, url, plan.connections, Math.min(2, plan.seconds));
    for (let round = 1; round <= plan.rounds; round++) {
      for (const tool of TOOLS) {
        const r = await throughput(tool, url, plan.connections, plan.seconds);
        runs[tool].push(r);
        log(`  round ${round} ${tool.padEnd(10)} ${Math.round(r.reqPerS)} req/s`);
      }
    }
  } finally {
    await server.stop();
  }
  const med = Object.fromEntries(TOOLS.map((t) => [t, median(runs[t].map((r) => r.reqPerS))])) as Record<Tool, number>;
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  const ratio = (t: Tool): number => round2(med.poolgate / med[t]);
  // Each round's poolgate run against the same round's peer run, seconds apart: a machine that drifts
  // (a shared VM's speed varies by tens of per cent over minutes) moves both sides of each pair alike.
  const paired = (t: Tool): number[] => runs.poolgate.map((r, i) => round2(r.reqPerS / runs[t][i]!.reqPerS));
  const pairedMedian = (t: Tool): number => round2(median(paired(t)));
  results.throughput = {
    rounds: plan.rounds,
    connections: plan.connections,
    seconds: plan.seconds,
    pinned: pinningOn(),
    runs: mapRuns(runs),
    median_req_per_s: med,
    poolgate_ratio: { autocannon: ratio('autocannon'), wrk: ratio('wrk'), hey: ratio('hey') },
    poolgate_ratio_paired: Object.fromEntries(
      (['autocannon', 'wrk', 'hey'] as const).map((t) => [t, { per_round: paired(t), median: pairedMedian(t) }]),
    ),
  };
  checks.push({
    name: 'throughput vs autocannon (closed loop)',
    value: `${pairedMedian('autocannon')}x median of rounds (${ratio('autocannon')}x of medians)`,
    target: '>= 1.2x',
    pass: pairedMedian('autocannon') >= 1.2,
  });
  checks.push({
    name: 'throughput vs wrk (reported)',
    value: `${pairedMedian('wrk')}x median of rounds (${ratio('wrk')}x of medians)`,
    target: '-',
    pass: true,
  });

  // 1b. What a templated request costs: poolgate alone, its static read against the lab scenario's journal entry
  // (rendered and encoded per send), alternating rounds on the minimal server. The server answers 200 where the
  // entry expects 201, so no capture is parsed: this is the request path's cost, not the answer's.
  log(`templated: ${plan.rounds} rounds x poolgate static and templated, ${plan.connections} connections, ${plan.seconds}s each`);
  const tplServer = await startServer(SERVER, [host, '0']);
  const tplUrl = `http://${host}:${tplServer.port}`;
  const tpl = { static: [] as number[], templated: [] as number[] };
  try {
    for (let round = 1; round <= plan.rounds; round++) {
      for (const [kind, scenario] of [
        ['static', ACCOUNTS_ONLY],
        ['templated', JOURNAL_ONLY],
      ] as const) {
        const r = await poolgateClosed(tplUrl, plan.connections, plan.seconds, [...scenario]);
        tpl[kind].push(Math.round(r.rate.throughput_per_s ?? 0));
        log(`  round ${round} ${kind.padEnd(10)} ${tpl[kind].at(-1)} req/s`);
      }
    }
  } finally {
    await tplServer.stop();
  }
  const tplRatio = round2(median(tpl.templated.map((v, i) => v / tpl.static[i]!)));
  results.templated = { rounds: plan.rounds, static_req_per_s: tpl.static, templated_req_per_s: tpl.templated, ratio_paired_median: tplRatio };
  checks.push({
    name: 'templated request vs static, poolgate closed loop (reported)',
    value: `${tplRatio}x median of rounds (${Math.round(median(tpl.templated))} vs ${Math.round(median(tpl.static))} req/s)`,
    target: '-',
    pass: true,
  });

  // 2. Fixed arrival rate accuracy.
  log(`fixed rate: ${plan.rate} req/s for ${plan.seconds}s`);
  const fixedServer = await startServer(SERVER, [host, '0']);
  let fixedFile: string;
  try {
    const { result } = await poolgateRun(
      fixedRateArgs(`http://${host}:${fixedServer.port}`, plan),
      (plan.seconds + 60) * 1000,
    );
    const achieved = result.rate.achieved_send_per_s ?? 0;
    const errPct = Math.round((Math.abs(achieved - plan.rate) / plan.rate) * 10000) / 100;
    results.fixed_rate = {
      target_per_s: plan.rate,
      achieved_send_per_s: achieved,
      error_pct: errPct,
      sent: result.requests.sent,
      scheduled: result.requests.scheduled,
      send_delay_ms: result.send_delay_ms,
      latency_ms: result.latency_ms,
    };
    checks.push({
      name: `fixed rate ${plan.rate}/s for ${plan.seconds}s`,
      value: `${achieved}/s (${errPct} % off), ${result.requests.sent}/${result.requests.scheduled} sent`,
      target: 'within 1 %',
      pass: errPct <= 1 && result.requests.sent === result.requests.scheduled,
    });
    fixedFile = path.join(os.tmpdir(), `poolgate-bench-analyze-${process.pid}.json`);
    fs.writeFileSync(fixedFile, JSON.stringify(result));
  } finally {
    await fixedServer.stop();
  }

  // 2b. How even each tool's "fixed rate" is, seen by the server in 10 ms windows.
  log(`smoothness: each tool's fixed-rate mode at ${plan.rate} req/s, arrivals per 10 ms at the server`);
  const smooth: Record<string, Smoothness> = {};
  for (const tool of ['poolgate', 'autocannon', 'hey'] as const) {
    const file = path.join(os.tmpdir(), `poolgate-bench-windows-${process.pid}-${tool}.json`);
    const s = await startServer(SERVER, [host, '0'], { ...process.env, POOLGATE_BENCH_WINDOWS: file });
    try {
      await fixedRate(tool, `http://${host}:${s.port}`, plan.rate, plan.connections, plan.seconds);
    } finally {
      await s.stop();
    }
    smooth[tool] = smoothness(JSON.parse(fs.readFileSync(file, 'utf8')) as number[]);
    fs.rmSync(file, { force: true });
  }
  results.smoothness = { rate: plan.rate, window_ms: 10, tools: smooth };
  checks.push({
    name: 'fixed rate is even (poolgate, 10 ms windows)',
    value: `cv ${smooth.poolgate!.cv}, ${smooth.poolgate!.empty_pct} % empty (autocannon cv ${smooth.autocannon!.cv}, ${smooth.autocannon!.empty_pct} % empty)`,
    target: 'cv below autocannon -R',
    pass: smooth.poolgate!.cv < smooth.autocannon!.cv,
  });

  // 3. A stall mid-run: the intended-time view against closed-loop tools.
  const stallAt = (plan.seconds * 1000) / 2;
  log(`stall: the server freezes ${plan.stallMs} ms at ${stallAt / 1000}s of ${plan.seconds}s`);
  const stall: Record<string, StallView> = {};
  for (const tool of ['poolgate', 'autocannon', 'wrk'] as const) {
    const s = await startServer(SERVER, [host, '0', String(stallAt), String(plan.stallMs)]);
    try {
      const u = `http://${host}:${s.port}`;
      if (tool === 'poolgate') {
        const { result } = await poolgateRun(
          fixedRateArgs(u, plan),
          (plan.seconds + 60) * 1000,
        );
        stall['poolgate (from intended send)'] = {
          p99_ms: result.latency_ms.from_intended.p99,
          p95_ms: result.latency_ms.from_intended.p95,
          note: `open loop ${plan.rate}/s, ${result.requests.delayed_sends} delayed sends`,
        };
        stall['poolgate (from actual send)'] = {
          p99_ms: result.latency_ms.from_send.p99,
          p95_ms: result.latency_ms.from_send.p95,
          note: 'same run, the view closed-loop tools give',
        };
      } else {
        const r = await throughput(tool, u, plan.connections, plan.seconds);
        stall[tool] = {
          p99_ms: r.p99Ms,
          note: `closed loop, ${Math.round(r.reqPerS)} req/s${tool === 'wrk' ? ' (wrk 4 back-fills from the mean interval)' : ''}`,
        };
      }
    } finally {
      await s.stop();
    }
  }
  results.stall = { stall_ms: plan.stallMs, at_ms: stallAt, views: stall };
  const intendedP99 = stall['poolgate (from intended send)']!.p99_ms ?? 0;
  checks.push({
    name: 'stall shows in p99 (from intended send)',
    value: `${intendedP99} ms`,
    target: `>= ${0.8 * plan.stallMs} ms`,
    pass: intendedP99 >= 0.8 * plan.stallMs,
  });

  // 4. Memory of a long fixed-rate run.
  const rssSeconds = plan.rssSeconds;
  log(`memory: ${plan.rate} req/s for ${rssSeconds}s`);
  const rssServer = await startServer(SERVER, [host, '0']);
  try {
    const { result, peakRssKb, rss } = await poolgateRun(
      [
        '--url',
        `http://${host}:${rssServer.port}`,
        '--rate',
        String(plan.rate),
        '--duration',
        `${rssSeconds}s`,
        '--concurrency',
        String(plan.connections),
        ...ACCOUNTS_ONLY,
      ],
      (rssSeconds + 120) * 1000,
      1000,
    );
    const at = (f: number): number | null => rss.find(([s]) => s >= f * rssSeconds)?.[1] ?? null;
    // The early reading is taken after start-up and warm-up (5 s at least), the late one near the end.
    const early = at(Math.max(0.2, 5 / rssSeconds));
    const late = at(0.9);
    results.memory = {
      seconds: rssSeconds,
      rate: plan.rate,
      sent: result.requests.sent,
      peak_rss_kb: peakRssKb,
      rss_kb_early: early,
      rss_kb_at_90pct: late,
      timeline: rss,
    };
    const flat = early !== null && late !== null && late <= early * 1.15 + 8192;
    checks.push({
      name: `peak RSS, ${rssSeconds}s at ${plan.rate}/s`,
      value: `${Math.round((peakRssKb ?? 0) / 1024)} MiB (early ${Math.round((early ?? 0) / 1024)}, at 90 % ${Math.round((late ?? 0) / 1024)} MiB)`,
      target: 'flat (90 % <= early x 1.15 + 8 MiB)',
      pass: flat,
    });
  } finally {
    await rssServer.stop();
  }

  // 5. Command start-up.
  log(`start-up: ${plan.startupRuns} runs each`);
  const time = async (argv: string[]): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < plan.startupRuns; i++)
      samples.push((await runChild(process.execPath, argv, { timeoutMs: 30_000 })).elapsedMs);
    return Math.round(median(samples));
  };
  const floor = await time(['-e', '0']);
  const help = await time([POOLGATE, '--help']);
  const analyze = await time([POOLGATE, 'analyze', fixedFile, '--no-require-pool-metrics']);
  fs.rmSync(fixedFile, { force: true });
  results.startup_ms = { node_floor: floor, help, analyze };
  checks.push({
    name: 'start-up: poolgate --help (median)',
    value: `${help} ms (node -e 0: ${floor} ms)`,
    target: '<= 250 ms',
    pass: help <= 250,
  });
  checks.push({
    name: 'start-up: poolgate analyze (median)',
    value: `${analyze} ms`,
    target: '<= 250 ms',
    pass: analyze <= 250,
  });

  const text = [
    table([
      ['tool (closed loop)', 'median req/s', 'poolgate ratio (of medians)', 'per round'],
      ...TOOLS.map((t) => [
        t,
        String(Math.round(med[t])),
        (med.poolgate / med[t]).toFixed(2),
        t === 'poolgate' ? '' : paired(t).join(' '),
      ]),
    ]),
    '',
    table([
      ['fixed rate, per 10 ms', 'mean', 'max', 'empty %', 'cv'],
      ...Object.entries(smooth).map(([k, v]) => [
        k,
        String(v.mean_per_window),
        String(v.max_per_window),
        String(v.empty_pct),
        String(v.cv),
      ]),
    ]),
    '',
    table([
      ['stall view', 'p95 ms', 'p99 ms', 'how'],
      ...Object.entries(stall).map(([k, v]) => [
        k,
        v.p95_ms == null ? '-' : String(v.p95_ms),
        String(v.p99_ms ?? '-'),
        v.note,
      ]),
    ]),
    '',
  ];
  return { results, checks, text: text.join('\n') };
}

/** The same closed-loop peers through the lab's HAProxy: the service is the bottleneck here, not the generator. */
export async function labThroughput(plan: BenchPlan, haproxyUrl: string, log: Log): Promise<SectionOutput> {
  log(`lab: throughput through ${haproxyUrl}, ${plan.rounds} rounds x ${TOOLS.join(', ')}`);
  const lr: Record<Tool, number[]> = { poolgate: [], autocannon: [], wrk: [], hey: [] };
  for (let round = 1; round <= plan.rounds; round++) {
    for (const tool of TOOLS) {
      lr[tool].push(Math.round((await throughput(tool, haproxyUrl, plan.connections, plan.seconds)).reqPerS));
      log(`  round ${round} ${tool.padEnd(10)} ${lr[tool].at(-1)} req/s`);
    }
  }
  const med = Object.fromEntries(TOOLS.map((t) => [t, median(lr[t])])) as Record<Tool, number>;
  const results = {
    lab_throughput: {
      url: haproxyUrl,
      rounds: plan.rounds,
      connections: plan.connections,
      seconds: plan.seconds,
      runs: lr,
      median_req_per_s: med,
      measured_at: new Date().toISOString(),
      loadavg: os.loadavg(),
    },
  };
  const text = table([
    ["through the lab's HAProxy", 'median req/s', 'poolgate ratio'],
    ...TOOLS.map((t) => [t, String(Math.round(med[t])), (med.poolgate / med[t]).toFixed(2)]),
  ]);
  return { results, checks: [], text: `${text}\n` };
}

function mapRuns(runs: Record<Tool, PeerRun[]>): Record<Tool, number[]> {
  return Object.fromEntries(Object.entries(runs).map(([t, rs]) => [t, rs.map((r) => Math.round(r.reqPerS))])) as Record<
    Tool,
    number[]
  >;
}
