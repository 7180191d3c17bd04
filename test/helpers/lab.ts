import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Test } from 'tap';
import { Pool } from 'undici';
import { labConfig, type LabConfig } from '../../lab/lab-config';
import { collectStatus } from '../../lab/control/status';
import { backendServers, haproxyCommand, showServersState } from '../../scripts/lib/haproxy-socket';
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

/** The lab's database as the application role, as a service on the agent gives it (`createAgent({ pg })`). */
export function labAppPg(cfg: LabConfig): {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
} {
  return {
    host: cfg.pg.host,
    port: cfg.pg.port,
    database: cfg.pg.database,
    user: cfg.pg.appUser,
    password: readPassword(cfg, 'app'),
  };
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

/** A write the service acknowledged (201): the id it returned and the memo that makes the write unique. */
export interface AcknowledgedWrite {
  id: number;
  memo: string;
}

/**
 * Where a service keeps the memo that makes each write unique: the reference ledger's journal entries, or the
 * example service's orders (examples/orders-express), whose item the test makes unique.
 */
export type WriteTable = { table: 'journal_entries'; memo: 'memo' } | { table: 'orders'; memo: 'item' };
const LEDGER: WriteTable = { table: 'journal_entries', memo: 'memo' };

/** One query as the application's role, wherever its database runs (the lab's, or the fleet's db-1). */
export type AppQuery = <R extends Record<string, unknown>>(sql: string, params: unknown[]) => Promise<R[]>;

/** The rows holding each of these memos, by memo (a memo absent from the database is absent here). */
async function copiesOf(query: AppQuery, memos: string[], where: WriteTable): Promise<Map<string, number[]>> {
  if (memos.length === 0) return new Map();
  // A hash join on the memos sent (the table has no index on the memo and grows with every test).
  const rows = await query<{ memo: string; ids: string[] }>(
    `SELECT j.${where.memo} AS memo, array_agg(j.id ORDER BY j.id)::text[] AS ids
       FROM ${where.table} j JOIN unnest($1::text[]) AS sent(memo) ON j.${where.memo} = sent.memo
      GROUP BY j.${where.memo}`,
    [memos],
  );
  return new Map(rows.map((r) => [r.memo, r.ids.map(Number)]));
}

/**
 * Every write a client sent, counted in the database by its unique memo: each acknowledged one is there exactly
 * once, under the id the client was given (not lost, not doubled by a load balancer's retry), and none that the
 * client saw fail is there twice (it may be there once: it can have committed before its answer was lost).
 */
export async function assertWritesExactlyOnce(
  t: Test,
  db: LabConfig | AppQuery,
  sent: Pick<TrafficResult, 'acknowledged' | 'writesSent'>,
  where: WriteTable = LEDGER,
): Promise<void> {
  const query: AppQuery = typeof db === 'function' ? db : (sql, params) => pgQuery(db, sql, params, 'app');
  const copies = await copiesOf(query, sent.writesSent, where);
  const notOnce = sent.acknowledged
    .filter((w) => {
      const ids = copies.get(w.memo) ?? [];
      return ids.length !== 1 || ids[0] !== w.id;
    })
    .map((w) => `${w.memo}: acknowledged as ${w.id}, in the database as [${(copies.get(w.memo) ?? []).join(', ')}]`);
  t.same(
    notOnce.slice(0, 10),
    [],
    `all ${sent.acknowledged.length} acknowledged writes are in the database exactly once`,
  );
  const acknowledged = new Set(sent.acknowledged.map((w) => w.memo));
  const unacknowledged = sent.writesSent.filter((m) => !acknowledged.has(m));
  const doubled = unacknowledged
    .filter((m) => (copies.get(m)?.length ?? 0) > 1)
    .map((m) => `${m}: [${copies.get(m)!.join(', ')}]`);
  const committed = unacknowledged.filter((m) => copies.has(m)).length;
  t.same(
    doubled.slice(0, 10),
    [],
    `none of the ${unacknowledged.length} unacknowledged writes is there twice (${committed} committed once)`,
  );
}

/** Each server's admin state at HAProxy (`show servers state`), by name: what a run left set. */
export async function lbAdminStates(cfg: LabConfig): Promise<Record<string, 'ready' | 'drain' | 'maint'>> {
  const rows = await showServersState(cfg.haproxy.socket, cfg.haproxy.backend);
  return Object.fromEntries(rows.map((s) => [s.server, s.maint ? 'maint' : s.drain ? 'drain' : 'ready']));
}

/** HAProxy's rise (2 checks × inter 500 ms) and one check's timeout (2 s): how long a restarted server may be DOWN. */
export const LB_UP_WITHIN_MS = 3500;

/**
 * HAProxy after a run, before anything resets it: every server of the backend is admin READY (`show servers state`:
 * srv_admin_state 0 — not drained, not in maintenance; read once, nothing but an operator or a run sets it) and UP
 * (srv_op_state 2 and `show stat` UP, waited for at most LB_UP_WITHIN_MS: a server the run restarted last may still
 * be counting its health checks).
 */
export async function assertLbReady(t: Test, cfg: LabConfig, when = 'after the run'): Promise<void> {
  const socket = cfg.haproxy.socket;
  const backend = cfg.haproxy.backend;
  const first = await showServersState(socket, backend);
  t.same(
    first.map((s) => s.server).sort(),
    cfg.instances.map((i) => i.name).sort(),
    `${when}: HAProxy's backend ${backend} has every instance`,
  );
  t.same(
    first.filter((s) => s.raw.srv_admin_state !== '0').map((s) => `${s.server} admin state ${s.raw.srv_admin_state}`),
    [],
    `${when}: every HAProxy server is admin READY (none left drained or in maintenance)`,
  );
  const started = Date.now();
  let notUp: string[] = [];
  for (;;) {
    const [state, stat] = await Promise.all([showServersState(socket, backend), backendServers(socket, backend)]);
    notUp = state
      .filter((s) => s.opState !== 2 || stat.get(s.server)?.status !== 'UP')
      .map((s) => `${s.server} op state ${s.opState}, status ${stat.get(s.server)?.status ?? 'missing'}`);
    if (notUp.length === 0 || Date.now() - started > LB_UP_WITHIN_MS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.same(notUp, [], `${when}: every HAProxy server is UP (within ${Date.now() - started} ms)`);
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
  /** every journal entry the service acknowledged with 201 */
  acknowledged: AcknowledgedWrite[];
  /** the memo of every write sent (each unique), acknowledged or not */
  writesSent: string[];
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
  const started = performance.now();
  const result: TrafficResult = {
    ok: 0,
    failed: 0,
    failures: [],
    acknowledged: [],
    writesSent: [],
    reads: 0,
    writes: 0,
    elapsedMs: 0,
  };
  // Makes every memo of this call unique, so each write can be counted in the database.
  const tag = crypto.randomUUID();
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
          const memo = `steady-traffic ${tag} w${w} #${n}`;
          if (write) {
            const debitAccount = pick();
            const creditAccount = accountIds.find((id) => id !== debitAccount)!;
            const amount = `${1 + (n % 500)}.${String(n % 100).padStart(2, '0')}`;
            result.writesSent.push(memo);
            body = JSON.stringify({
              memo,
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
            result.acknowledged.push({ id, memo });
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
