import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { labConfig } from '../../lab/lab-config';
import { packageRoot } from '../lib/paths';
import { median, runChild, startServer } from './child';
import { extraSections } from './extras';
import { fixedRate, poolgateRun, smoothness, throughput, TOOLS, type PeerRun, type Smoothness, type Tool } from './peers';

/**
 * `npm run bench` (issue 7): the load generator and the commands, measured side by side in one run on this
 * machine. Peers run alternately (A B C D, A B C D, ...) against the same target so a noisy neighbour hits
 * them all alike; medians and ratios are reported, not absolute numbers. Exit 1 when a target is missed.
 */
const SERVER = path.join(__dirname, 'minimal-server.js');
const POOLGATE = path.join(packageRoot, 'bin', 'poolgate.js');

interface Check {
  name: string;
  value: string;
  target: string;
  pass: boolean;
}

async function main(): Promise<void> {
  const args = await yargs(process.argv.slice(2))
    .option('rounds', { type: 'number', default: 3, describe: 'Alternating rounds per peer (medians reported)' })
    .option('seconds', { type: 'number', default: 10, describe: 'Duration of each throughput and stall run' })
    .option('connections', { type: 'number', default: 50 })
    .option('rate', { type: 'number', default: 2000, describe: 'Fixed arrival rate for the accuracy, stall and memory runs (req/s)' })
    .option('stall-ms', { type: 'number', default: 1000, describe: 'How long the server freezes mid-run in the stall comparison' })
    .option('rss-seconds', { type: 'number', default: 60, describe: 'Length of the memory run' })
    .option('long', { type: 'boolean', default: false, describe: 'Memory run of 10 minutes (issue 7) instead of --rss-seconds' })
    .option('startup-runs', { type: 'number', default: 11 })
    .option('lab', { type: 'boolean', default: false, describe: 'Also compare throughput through the lab\'s HAProxy (the lab of POOLGATE_LAB_SLOT must be up)' })
    .option('probe', { type: 'boolean', default: false, describe: 'Also time one monitor sample of the lab (four instances + the database) and count its connections (the lab must be up)' })
    .option('probe-samples', { type: 'number', default: 21, describe: 'Timed monitor samples (median reported)' })
    .option('rollout', { type: 'boolean', default: false, describe: 'Also time the lab rollout by SIGHUP, by restart and an automatic rollback (minutes; the lab must be up)' })
    .option('skip-loadgen', { type: 'boolean', default: false, describe: 'Run only --probe/--rollout; the other figures in --out are kept from its last run' })
    .option('out', { type: 'string', default: path.join(packageRoot, 'bench', 'results.json') })
    .strict()
    .parseAsync();
  const slot = labConfig().slot;
  const host = `127.0.${slot}.70`;
  const checks: Check[] = [];
  const results: Record<string, unknown> = { machine: { cpus: os.cpus().length, node: process.version, loadavg_at_start: os.loadavg() }, started_at: new Date().toISOString() };
  const log = (line: string): boolean => process.stderr.write(`${line}\n`);
  if (args.skipLoadgen) {
    const extra = await extraSections(args, log);
    const previous = fs.existsSync(args.out) ? (JSON.parse(fs.readFileSync(args.out, 'utf8')) as Record<string, unknown>) : {};
    const kept = ((previous.checks as Check[] | undefined) ?? []).filter((c) => !extra.checks.some((n) => n.section === sectionOf(c)));
    const merged = { ...previous, ...extra.results, checks: [...kept, ...extra.checks.map((c) => c.check)] };
    fs.mkdirSync(path.dirname(args.out), { recursive: true });
    fs.writeFileSync(args.out, `${JSON.stringify(merged, null, 2)}\n`);
    process.stdout.write(`${extra.text}\nresults: ${args.out} (other figures kept from its last run)\n`);
    process.exitCode = extra.checks.every((c) => c.check.pass) ? 0 : 1;
    return;
  }

  // 1. Throughput, closed loop, minimal server in its own process.
  log(`throughput: ${args.rounds} rounds x ${TOOLS.join(', ')}, ${args.connections} connections, ${args.seconds}s each`);
  const server = await startServer(SERVER, [host, '0']);
  const url = `http://${host}:${server.port}`;
  const runs: Record<Tool, PeerRun[]> = { poolgate: [], autocannon: [], wrk: [], hey: [] };
  try {
    for (let round = 1; round <= args.rounds; round++) {
      for (const tool of TOOLS) {
        const r = await throughput(tool, url, args.connections, args.seconds);
        runs[tool].push(r);
        log(`  round ${round} ${tool.padEnd(10)} ${Math.round(r.reqPerS)} req/s`);
      }
    }
  } finally {
    await server.stop();
  }
  const med = Object.fromEntries(TOOLS.map((t) => [t, median(runs[t].map((r) => r.reqPerS))])) as Record<Tool, number>;
  const ratio = (t: Tool): number => Math.round((med.poolgate / med[t]) * 100) / 100;
  results.throughput = { rounds: args.rounds, connections: args.connections, seconds: args.seconds, runs: mapRuns(runs), median_req_per_s: med, poolgate_ratio: { autocannon: ratio('autocannon'), wrk: ratio('wrk'), hey: ratio('hey') } };
  checks.push({ name: 'throughput vs autocannon (closed loop)', value: `${ratio('autocannon')}x`, target: '>= 1.2x', pass: ratio('autocannon') >= 1.2 });
  checks.push({ name: 'throughput vs wrk (reported)', value: `${ratio('wrk')}x`, target: '-', pass: true });

  // 2. Fixed arrival rate accuracy.
  log(`fixed rate: ${args.rate} req/s for ${args.seconds}s`);
  const fixedServer = await startServer(SERVER, [host, '0']);
  let fixedFile: string;
  try {
    const { result } = await poolgateRun(['--url', `http://${host}:${fixedServer.port}`, '--rate', String(args.rate), '--duration', `${args.seconds}s`, '--concurrency', String(args.connections), '--mix', 'accounts=1'], (args.seconds + 60) * 1000);
    const achieved = result.rate.achieved_send_per_s ?? 0;
    const errPct = Math.round((Math.abs(achieved - args.rate) / args.rate) * 10000) / 100;
    results.fixed_rate = { target_per_s: args.rate, achieved_send_per_s: achieved, error_pct: errPct, sent: result.requests.sent, scheduled: result.requests.scheduled, send_delay_ms: result.send_delay_ms, latency_ms: result.latency_ms };
    checks.push({ name: `fixed rate ${args.rate}/s for ${args.seconds}s`, value: `${achieved}/s (${errPct} % off), ${result.requests.sent}/${result.requests.scheduled} sent`, target: 'within 1 %', pass: errPct <= 1 && result.requests.sent === result.requests.scheduled });
    fixedFile = path.join(os.tmpdir(), `poolgate-bench-analyze-${process.pid}.json`);
    fs.writeFileSync(fixedFile, JSON.stringify(result));
  } finally {
    await fixedServer.stop();
  }

  // 2b. How even each tool's "fixed rate" is, seen by the server in 10 ms windows.
  log(`smoothness: each tool's fixed-rate mode at ${args.rate} req/s, arrivals per 10 ms at the server`);
  const smooth: Record<string, Smoothness> = {};
  for (const tool of ['poolgate', 'autocannon', 'hey'] as const) {
    const file = path.join(os.tmpdir(), `poolgate-bench-windows-${process.pid}-${tool}.json`);
    const s = await startServer(SERVER, [host, '0'], { ...process.env, POOLGATE_BENCH_WINDOWS: file });
    try {
      await fixedRate(tool, `http://${host}:${s.port}`, args.rate, args.connections, args.seconds);
    } finally {
      await s.stop();
    }
    smooth[tool] = smoothness(JSON.parse(fs.readFileSync(file, 'utf8')) as number[]);
    fs.rmSync(file, { force: true });
  }
  results.smoothness = { rate: args.rate, window_ms: 10, tools: smooth };
  checks.push({ name: 'fixed rate is even (poolgate, 10 ms windows)', value: `cv ${smooth.poolgate!.cv}, ${smooth.poolgate!.empty_pct} % empty (autocannon cv ${smooth.autocannon!.cv}, ${smooth.autocannon!.empty_pct} % empty)`, target: 'cv below autocannon -R', pass: smooth.poolgate!.cv < smooth.autocannon!.cv });

  // 3. A stall mid-run: the intended-time view against closed-loop tools.
  const stallAt = (args.seconds * 1000) / 2;
  log(`stall: the server freezes ${args.stallMs} ms at ${stallAt / 1000}s of ${args.seconds}s`);
  const stall: Record<string, { p99_ms: number | null; p95_ms?: number | null; note: string }> = {};
  for (const tool of ['poolgate', 'autocannon', 'wrk'] as const) {
    const s = await startServer(SERVER, [host, '0', String(stallAt), String(args.stallMs)]);
    try {
      const u = `http://${host}:${s.port}`;
      if (tool === 'poolgate') {
        const { result } = await poolgateRun(['--url', u, '--rate', String(args.rate), '--duration', `${args.seconds}s`, '--concurrency', String(args.connections), '--mix', 'accounts=1'], (args.seconds + 60) * 1000);
        stall['poolgate (from intended send)'] = { p99_ms: result.latency_ms.from_intended.p99, p95_ms: result.latency_ms.from_intended.p95, note: `open loop ${args.rate}/s, ${result.requests.delayed_sends} delayed sends` };
        stall['poolgate (from actual send)'] = { p99_ms: result.latency_ms.from_send.p99, p95_ms: result.latency_ms.from_send.p95, note: 'same run, the view closed-loop tools give' };
      } else {
        const r = await throughput(tool, u, args.connections, args.seconds);
        stall[tool] = { p99_ms: r.p99Ms, note: `closed loop, ${Math.round(r.reqPerS)} req/s${tool === 'wrk' ? ' (wrk 4 back-fills from the mean interval)' : ''}` };
      }
    } finally {
      await s.stop();
    }
  }
  results.stall = { stall_ms: args.stallMs, at_ms: stallAt, views: stall };
  const intendedP99 = stall['poolgate (from intended send)']!.p99_ms ?? 0;
  checks.push({ name: 'stall shows in p99 (from intended send)', value: `${intendedP99} ms`, target: `>= ${0.8 * args.stallMs} ms`, pass: intendedP99 >= 0.8 * args.stallMs });

  // 4. Memory of a long fixed-rate run.
  const rssSeconds = args.long ? 600 : args.rssSeconds;
  log(`memory: ${args.rate} req/s for ${rssSeconds}s`);
  const rssServer = await startServer(SERVER, [host, '0']);
  try {
    const { result, peakRssKb, rss } = await poolgateRun(['--url', `http://${host}:${rssServer.port}`, '--rate', String(args.rate), '--duration', `${rssSeconds}s`, '--concurrency', String(args.connections), '--mix', 'accounts=1'], (rssSeconds + 120) * 1000, 1000);
    const at = (f: number): number | null => rss.find(([s]) => s >= f * rssSeconds)?.[1] ?? null;
    // The early reading is taken after start-up and warm-up (5 s at least), the late one near the end.
    const early = at(Math.max(0.2, 5 / rssSeconds));
    const late = at(0.9);
    results.memory = { seconds: rssSeconds, rate: args.rate, sent: result.requests.sent, peak_rss_kb: peakRssKb, rss_kb_early: early, rss_kb_at_90pct: late, timeline: rss };
    const flat = early !== null && late !== null && late <= early * 1.15 + 8192;
    checks.push({ name: `peak RSS, ${rssSeconds}s at ${args.rate}/s`, value: `${Math.round((peakRssKb ?? 0) / 1024)} MiB (early ${Math.round((early ?? 0) / 1024)}, at 90 % ${Math.round((late ?? 0) / 1024)} MiB)`, target: 'flat (90 % <= early x 1.15 + 8 MiB)', pass: flat });
  } finally {
    await rssServer.stop();
  }

  // 5. Command start-up.
  log(`start-up: ${args.startupRuns} runs each`);
  const time = async (argv: string[]): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < args.startupRuns; i++) samples.push((await runChild(process.execPath, argv, { timeoutMs: 30_000 })).elapsedMs);
    return Math.round(median(samples));
  };
  const floor = await time(['-e', '0']);
  const help = await time([POOLGATE, '--help']);
  const analyze = await time([POOLGATE, 'analyze', fixedFile, '--no-require-pool-metrics']);
  fs.rmSync(fixedFile, { force: true });
  results.startup_ms = { node_floor: floor, help, analyze };
  checks.push({ name: 'start-up: poolgate --help (median)', value: `${help} ms (node -e 0: ${floor} ms)`, target: '<= 250 ms', pass: help <= 250 });
  checks.push({ name: 'start-up: poolgate analyze (median)', value: `${analyze} ms`, target: '<= 250 ms', pass: analyze <= 250 });

  // 6. Optionally, the real path through the lab's HAProxy.
  if (args.lab) {
    const lab = labConfig();
    log(`lab: throughput through ${lab.haproxy.url} (the service is the bottleneck here), ${args.rounds} rounds`);
    const lr: Record<Tool, number[]> = { poolgate: [], autocannon: [], wrk: [], hey: [] };
    for (let round = 1; round <= args.rounds; round++) {
      for (const tool of TOOLS) lr[tool].push(Math.round((await throughput(tool, lab.haproxy.url, args.connections, args.seconds)).reqPerS));
    }
    results.lab_throughput = { runs: lr, median_req_per_s: Object.fromEntries(TOOLS.map((t) => [t, median(lr[t])])) };
  }

  const extra = await extraSections(args, log);
  Object.assign(results, extra.results);
  checks.push(...extra.checks.map((c) => c.check));
  // The minutes-long lab sections not run this time keep their last figures (each carries its measured_at).
  const previous = fs.existsSync(args.out) ? (JSON.parse(fs.readFileSync(args.out, 'utf8')) as Record<string, unknown>) : {};
  for (const section of ['probe', 'rollout'] as const) {
    if (section in extra.results || !(section in previous)) continue;
    results[section] = previous[section];
    checks.push(...((previous.checks as Check[] | undefined) ?? []).filter((c) => sectionOf(c) === section));
  }
  results.machine = { ...(results.machine as object), loadavg_at_end: os.loadavg() };
  results.checks = checks;
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(report(med, checks, stall, smooth, args.out, extra.text));
  process.exitCode = checks.every((c) => c.pass) ? 0 : 1;
}

function mapRuns(runs: Record<Tool, PeerRun[]>): Record<Tool, number[]> {
  return Object.fromEntries(Object.entries(runs).map(([t, rs]) => [t, rs.map((r) => Math.round(r.reqPerS))])) as Record<Tool, number[]>;
}

function report(
  med: Record<Tool, number>,
  checks: Check[],
  stall: Record<string, { p99_ms: number | null; p95_ms?: number | null; note: string }>,
  smooth: Record<string, Smoothness>,
  out: string,
  extraText: string,
): string {
  const pad = (rows: string[][]): string => {
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()).join('\n');
  };
  const lines = [
    '',
    pad([['tool (closed loop)', 'median req/s', 'poolgate ratio'], ...TOOLS.map((t) => [t, String(Math.round(med[t])), (med.poolgate / med[t]).toFixed(2)])]),
    '',
    pad([['fixed rate, per 10 ms', 'mean', 'max', 'empty %', 'cv'], ...Object.entries(smooth).map(([k, v]) => [k, String(v.mean_per_window), String(v.max_per_window), String(v.empty_pct), String(v.cv)])]),
    '',
    pad([['stall view', 'p95 ms', 'p99 ms', 'how'], ...Object.entries(stall).map(([k, v]) => [k, v.p95_ms == null ? '-' : String(v.p95_ms), String(v.p99_ms ?? '-'), v.note])]),
    '',
    extraText,
    pad([['check', 'value', 'target', 'verdict'], ...checks.map((c) => [c.name, c.value, c.target, c.pass ? 'PASS' : 'MISS'])]),
    '',
    `results: ${out}`,
    '',
  ];
  return lines.join('\n');
}

/** Which --probe/--rollout section a check of an earlier results.json belongs to (for --skip-loadgen merges). */
function sectionOf(c: Check): string | null {
  return c.name.startsWith('probe') ? 'probe' : c.name.startsWith('rollout') || c.name.startsWith('rollback') ? 'rollout' : null;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 2;
});
