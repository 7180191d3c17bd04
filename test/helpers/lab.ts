import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Test } from 'tap';
import { Pool } from 'undici';
import { labConfig, type LabConfig } from '../../lab/lab-config';
import { collectStatus } from '../../lab/control/status';
import { haproxyCommand } from '../../scripts/lib/haproxy-socket';
import { packageRoot } from '../../scripts/lib/paths';

/**
 * What integration and e2e tests need from the lab of POOLGATE_LAB_SLOT (default 0): bring it up if it is
 * not, stop it afterwards only if we started it, and talk to its parts.
 */
export interface LabHandle extends LabConfig {
  /** true when this useLab call brought the lab up (and its teardown will bring it down) */
  startedHere: boolean;
}

/** Runs a compiled lab control script (`npm test` builds first; this does not). Throws with its output on failure. */
export function runLabScript(
  name: 'lab-up' | 'lab-down' | 'lab-status',
  args: string[] = [],
  timeoutMs = 180_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = path.join(packageRoot, 'dist', 'lab', 'control', `${name}.js`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: packageRoot,
      env: process.env,
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function mustRun(name: 'lab-up' | 'lab-down', args: string[] = []): Promise<void> {
  const r = await runLabScript(name, args);
  if (r.code !== 0) throw new Error(`${name} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
}

/**
 * The lab of the current slot, healthy. If it is not fully up, runs lab-up and registers a teardown running
 * lab-down (set POOLGATE_LAB_KEEP=1 to keep it up between runs while developing).
 */
export async function useLab(t: Test): Promise<LabHandle> {
  const cfg = labConfig();
  if ((await collectStatus(cfg)).healthy) return { ...cfg, startedHere: false };
  await mustRun('lab-up');
  if (process.env.POOLGATE_LAB_KEEP !== '1') t.teardown(() => mustRun('lab-down'));
  return { ...cfg, startedHere: true };
}

export function readPassword(cfg: LabConfig, role: 'app' | 'monitor'): string {
  return fs.readFileSync(role === 'app' ? cfg.pg.appPasswordFile : cfg.pg.monitorPasswordFile, 'utf8').trim();
}

/** One query on a fresh connection as the monitor (default) or the application role. */
export async function pgQuery<R extends Record<string, unknown> = Record<string, unknown>>(
  cfg: LabConfig,
  sql: string,
  params: unknown[] = [],
  role: 'app' | 'monitor' = 'monitor',
): Promise<R[]> {
  const client = new Client({
    host: cfg.pg.host,
    port: cfg.pg.port,
    database: cfg.pg.database,
    user: role === 'app' ? cfg.pg.appUser : cfg.pg.monitorUser,
    password: readPassword(cfg, role),
    application_name: 'poolgate-test',
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A runtime API command on the lab's HAProxy admin socket; the raw answer. */
export function haproxySocket(cfg: LabConfig, command: string): Promise<string> {
  return haproxyCommand(cfg.haproxy.socket, command);
}

/** One query as the application's role, wherever its database runs (the lab's, or the fleet's db-1). */
export type AppQuery = <R extends Record<string, unknown>>(sql: string, params: unknown[]) => Promise<R[]>;

/**
 * Every acknowledged write exactly once: the ids the service answered 201 with that are NOT in the database, and
 * those whose memo (unique per request, see steadyTraffic) is there more than once — a write sent twice (a POST
 * retried after it reached a server) would commit a second entry with a new id and the same memo.
 */
export async function journalProblems(
  query: AppQuery,
  ids: number[],
): Promise<{ missing: number[]; duplicated: Array<{ memo: string; copies: number }> }> {
  if (ids.length === 0) return { missing: [], duplicated: [] };
  const found = await query<{ id: string }>('SELECT id FROM journal_entries WHERE id = ANY($1::bigint[])', [ids]);
  const have = new Set(found.map((r) => Number(r.id)));
  const duplicated = await query<{ memo: string; copies: number }>(
    `SELECT memo, count(*)::int AS copies FROM journal_entries
      WHERE memo IN (SELECT memo FROM journal_entries WHERE id = ANY($1::bigint[]))
      GROUP BY memo HAVING count(*) > 1`,
    [ids],
  );
  return { missing: ids.filter((id) => !have.has(id)), duplicated };
}

/** Which of these journal entry ids are NOT in the database (empty = every acknowledged write is durable). */
export async function missingJournalEntries(cfg: LabConfig, ids: number[]): Promise<number[]> {
  const query: AppQuery = (sql, params) => pgQuery(cfg, sql, params, 'app');
  return (await journalProblems(query, ids)).missing;
}

export interface TrafficFailure {
  /** ms since the traffic started */
  at: number;
  method: string;
  path: string;
  status?: number;
  error?: string;
}

export interface TrafficResult {
  ok: number;
  failed: number;
  /** the first 100 failures, in order */
  failures: TrafficFailure[];
  /** ids of every journal entry the service acknowledged with 201 */
  acknowledgedIds: number[];
  reads: number;
  writes: number;
  elapsedMs: number;
}

export interface TrafficOptions {
  concurrency?: number;
  durationMs?: number;
  /** share of requests that are writes (POST /api/journal-entries), 0..1 */
  writeRatio?: number;
  /** hard bound on requests, whatever the duration */
  maxRequests?: number;
  /** stops the traffic early when aborted */
  signal?: AbortSignal;
  /**
   * think time: each worker waits this long after an answer before its next request (default 0, closed loop).
   * With a pause the traffic is paced (at most concurrency × 1000 / pauseMs requests/s however fast the answers
   * come), so a burst of fast answers after a stall cannot outnumber the slow ones in the service's p95 window.
   */
  pauseMs?: number;
}

/** Waits `ms`, or less if `signal` aborts first; never rejects. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Bounded closed-loop traffic (each worker sends its next request when the previous one answered, after
 * `pauseMs` if given): reads
 * (GET /api/accounts/:id/balance, GET /api/accounts) and balanced two-line journal entry writes. A request
 * fails if it errors or answers another status than expected (200 for reads, 201 with {id} for writes).
 */
export async function steadyTraffic(baseUrl: string, opts: TrafficOptions = {}): Promise<TrafficResult> {
  const concurrency = opts.concurrency ?? 8;
  const durationMs = Math.min(opts.durationMs ?? 3000, 120_000);
  const writeRatio = opts.writeRatio ?? 0.3;
  const maxRequests = opts.maxRequests ?? 50_000;
  const pauseMs = Math.max(0, opts.pauseMs ?? 0);
  const pool = new Pool(baseUrl, { connections: concurrency, headersTimeout: 15_000, bodyTimeout: 15_000 });
  // In every write's memo: unique per request across calls, so a write committed twice shows as one memo twice.
  const tag = crypto.randomUUID().slice(0, 8);
  const started = performance.now();
  const result: TrafficResult = {
    ok: 0,
    failed: 0,
    failures: [],
    acknowledgedIds: [],
    reads: 0,
    writes: 0,
    elapsedMs: 0,
  };
  const fail = (f: Omit<TrafficFailure, 'at'>): void => {
    result.failed += 1;
    if (result.failures.length < 100) result.failures.push({ at: Math.round(performance.now() - started), ...f });
  };
  try {
    const first = await pool.request({ path: '/api/accounts', method: 'GET' });
    const listed = (await first.body.json()) as { accounts?: Array<{ id: number }> };
    const accountIds = (listed.accounts ?? []).map((a) => a.id);
    if (first.statusCode !== 200 || accountIds.length < 2)
      throw new Error(`GET /api/accounts answered ${first.statusCode} with ${accountIds.length} accounts`);
    let sent = 0;
    const pick = (): number => accountIds[Math.floor(Math.random() * accountIds.length)]!;
    const worker = async (w: number): Promise<void> => {
      while (performance.now() - started < durationMs && sent < maxRequests && !opts.signal?.aborted) {
        const n = sent++;
        const write = Math.random() < writeRatio;
        const path = write ? '/api/journal-entries' : n % 5 === 0 ? '/api/accounts' : `/api/accounts/${pick()}/balance`;
        const method = write ? 'POST' : 'GET';
        try {
          let body: string | undefined;
          if (write) {
            const debitAccount = pick();
            const creditAccount = accountIds.find((id) => id !== debitAccount)!;
            const amount = `${1 + (n % 500)}.${String(n % 100).padStart(2, '0')}`;
            body = JSON.stringify({
              memo: `steady-traffic ${tag} w${w} #${n}`,
              lines: [
                { account_id: debitAccount, debit: amount, credit: '0' },
                { account_id: creditAccount, debit: '0', credit: amount },
              ],
            });
          }
          const res = await pool.request({
            path,
            method,
            body,
            headers: body ? { 'content-type': 'application/json' } : {},
          });
          const text = await res.body.text();
          if (write) result.writes += 1;
          else result.reads += 1;
          const expected = write ? 201 : 200;
          if (res.statusCode !== expected) {
            fail({ method, path, status: res.statusCode, error: text.slice(0, 200) });
            continue;
          }
          if (write) {
            const id = (JSON.parse(text) as { id?: unknown }).id;
            if (typeof id !== 'number') {
              fail({ method, path, status: res.statusCode, error: `no numeric id in ${text.slice(0, 100)}` });
              continue;
            }
            result.acknowledgedIds.push(id);
          }
          result.ok += 1;
        } catch (err) {
          fail({ method, path, error: (err as Error).message });
        } finally {
          // after failures too (`continue` passes through here): no hot loop on errors; never past the duration
          if (pauseMs > 0) await pause(Math.min(pauseMs, durationMs - (performance.now() - started)), opts.signal);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  } catch (err) {
    fail({ method: 'GET', path: '/api/accounts', error: (err as Error).message });
  } finally {
    await pool.close();
  }
  result.elapsedMs = Math.round(performance.now() - started);
  return result;
}
