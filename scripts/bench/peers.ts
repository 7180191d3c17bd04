import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../lib/paths';
import type { LoadtestResult } from '../types/loadtest-result';
import { onCore, pinningOn, runChild, type ChildOptions, type ChildResult } from './child';

/** One run of one tool: requests per second and the p99 it reports (ms), from its own output. */
export interface PeerRun {
  tool: Tool;
  reqPerS: number;
  p99Ms: number | null;
  /** poolgate only: the whole result document. */
  result?: LoadtestResult;
}

export type Tool = 'poolgate' | 'autocannon' | 'wrk' | 'hey';
export const TOOLS: readonly Tool[] = ['poolgate', 'autocannon', 'wrk', 'hey'];

const POOLGATE = path.join(packageRoot, 'bin', 'poolgate.js');
const AUTOCANNON = path.join(packageRoot, 'node_modules', 'autocannon', 'autocannon.js');

/**
 * poolgate's side of every comparison: the lab scenario's one static read (GET /api/accounts), the request the
 * peers send too.
 */
const LEDGER_SCENARIO = path.join(packageRoot, 'lab', 'scenarios', 'ledger.yml');
export const ACCOUNTS_ONLY = ['--scenario', LEDGER_SCENARIO, '--mix', 'accounts=1'];
/** The lab scenario's heaviest templated request alone: a JSON body with four templates, rendered per send. */
export const JOURNAL_ONLY = ['--scenario', LEDGER_SCENARIO, '--allow-writes', '--mix', 'journal-entry=1'];

/** poolgate's closed loop, `connections` back to back for `seconds`, sending `scenario` (flags): requests/s. */
export async function poolgateClosed(
  url: string,
  connections: number,
  seconds: number,
  scenario: string[],
): Promise<LoadtestResult> {
  const args = ['--url', url, '--mode', 'closed', '--concurrency', String(connections), '--duration', `${seconds}s`];
  return (await poolgateRun([...args, ...scenario], (seconds + 60) * 1000)).result;
}

/** "12.5ms" / "850.00us" / "1.02s" → ms. */
function toMs(value: string, unit: string): number {
  const v = Number(value);
  return unit === 'us' ? v / 1000 : unit === 's' || unit === 'secs' ? v * 1000 : v;
}

/** A load generator run on the generators' core. */
function generator(cmd: string, args: string[], opts: ChildOptions): Promise<ChildResult> {
  const [c, a] = onCore('generator', cmd, args);
  return runChild(c, a, opts);
}

function fail(tool: string, r: { code: number; stderr: string; stdout: string }): never {
  throw new Error(`${tool} exited ${r.code}: ${(r.stderr || r.stdout).slice(0, 400)}`);
}

export async function poolgateRun(
  args: string[],
  timeoutMs: number,
  rssEveryMs?: number,
): Promise<{ result: LoadtestResult; peakRssKb: number | null; rss: Array<[number, number]> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-bench-'));
  const out = path.join(dir, 'result.json');
  try {
    const r = await generator(process.execPath, [POOLGATE, 'loadtest', ...args, '--output', out], {
      timeoutMs,
      ...(rssEveryMs ? { rssEveryMs } : {}),
    });
    if (r.code !== 0) fail('poolgate loadtest', r);
    return { result: JSON.parse(fs.readFileSync(out, 'utf8')) as LoadtestResult, peakRssKb: r.peakRssKb, rss: r.rss };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Closed loop, `connections` back to back for `seconds`: each tool's maximum throughput. */
export async function throughput(tool: Tool, url: string, connections: number, seconds: number): Promise<PeerRun> {
  const timeoutMs = (seconds + 60) * 1000;
  if (tool === 'poolgate') {
    const result = await poolgateClosed(url, connections, seconds, ACCOUNTS_ONLY);
    return { tool, reqPerS: result.rate.throughput_per_s ?? 0, p99Ms: result.latency_ms.from_send.p99, result };
  }
  const target = `${url}/api/accounts`;
  if (tool === 'autocannon') {
    const r = await generator(
      process.execPath,
      [AUTOCANNON, '-j', '-c', String(connections), '-d', String(seconds), target],
      { timeoutMs },
    );
    if (r.code !== 0) fail(tool, r);
    const j = JSON.parse(r.stdout) as { requests: { total: number }; duration: number; latency: { p99: number } };
    return { tool, reqPerS: j.requests.total / j.duration, p99Ms: j.latency.p99 };
  }
  if (tool === 'wrk') {
    // One thread per core it may use: two threads on one pinned core only take turns.
    const r = await generator(
      'wrk',
      ['-t', pinningOn() ? '1' : '2', '-c', String(connections), '-d', `${seconds}s`, '--latency', target],
      { timeoutMs },
    );
    if (r.code !== 0) fail(tool, r);
    return { tool, reqPerS: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0), p99Ms: wrkP99(r.stdout) };
  }
  const r = await generator('hey', ['-c', String(connections), '-z', `${seconds}s`, target], { timeoutMs });
  if (r.code !== 0) fail(tool, r);
  const p99 = /99%+ in ([\d.]+) secs/.exec(r.stdout);
  return {
    tool,
    reqPerS: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0),
    p99Ms: p99 ? Number(p99[1]) * 1000 : null,
  };
}

function wrkP99(stdout: string): number | null {
  const m = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(stdout);
  return m ? toMs(m[1]!, m[2]!) : null;
}

/** Each tool's own fixed-rate mode at `rate` req/s (autocannon -R, hey -q per worker, poolgate's open loop). */
export async function fixedRate(
  tool: Exclude<Tool, 'wrk'>,
  url: string,
  rate: number,
  connections: number,
  seconds: number,
): Promise<void> {
  const timeoutMs = (seconds + 60) * 1000;
  if (tool === 'poolgate') {
    await poolgateRun(
      [
        '--url',
        url,
        '--rate',
        String(rate),
        '--duration',
        `${seconds}s`,
        '--concurrency',
        String(connections),
        ...ACCOUNTS_ONLY,
      ],
      timeoutMs,
    );
    return;
  }
  const target = `${url}/api/accounts`;
  const r =
    tool === 'autocannon'
      ? await generator(
          process.execPath,
          [AUTOCANNON, '-j', '-c', String(connections), '-d', String(seconds), '-R', String(rate), target],
          { timeoutMs },
        )
      : await generator(
          'hey',
          ['-c', String(connections), '-q', String(rate / connections), '-z', `${seconds}s`, target],
          { timeoutMs },
        );
  if (r.code !== 0) fail(tool, r);
}

export interface Smoothness {
  windows: number;
  mean_per_window: number;
  empty_pct: number;
  max_per_window: number;
  /** Standard deviation / mean of the per-window counts (0 = perfectly even). */
  cv: number;
}

/** Arrivals per 10 ms window, the first and last half second (ramp up and down) left out. */
export function smoothness(counts: number[]): Smoothness {
  const w = counts.slice(50, Math.max(50, counts.length - 50));
  const n = w.length || 1;
  const mean = w.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return {
    windows: w.length,
    mean_per_window: Math.round(mean * 100) / 100,
    empty_pct: Math.round((w.filter((c) => c === 0).length / n) * 1000) / 10,
    max_per_window: Math.max(0, ...w),
    cv: mean > 0 ? Math.round((sd / mean) * 100) / 100 : 0,
  };
}
