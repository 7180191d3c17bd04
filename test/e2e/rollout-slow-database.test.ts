import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import t from 'tap';
import { Pool } from 'undici';
import type { LabConfig } from '../../lab/lab-config';
import { assertLbReady, assertWritesExactlyOnce, readPassword, useLab, type TrafficResult } from '../helpers/lab';
import {
  events,
  evidenceDirOf,
  evidenceProblems,
  evidenceVerifies,
  peakConnections,
  readPools,
  restoreBaseline,
  runPlaybook,
  runVars,
  shortRun,
} from './rollout-helpers';

t.setTimeout(900_000);

/**
 * A rollback trigger during monitoring: the database made slow until the play reacts. Why this shape:
 * - the service's p95 covers requests that FINISHED in the last 60 s, so a lock held without a break is invisible
 *   (blocked requests never finish); the lock is instead held 3 s, released, and re-taken at once, over and over,
 *   so every query on the ledger's tables waits up to 3 s and finishes with that latency;
 * - closed-loop clients would stall behind the lock and fill the window with fast requests between locks, so the
 *   traffic is open loop (a constant 20 requests/s, like users), and most requests of each cycle take > 1 s;
 * - every such request still answers well within HAProxy's 30-s server timeout and the client's 15 s: none fails.
 */
const RATE_PER_S = 20;
const LOCK_HOLD_MS = 3000;
const LOCK_BOUND_MS = 60_000;

/** Open-loop traffic through HAProxy: one request every 1/rate s whatever the answers, until aborted (bounded). */
async function openLoopTraffic(
  url: string,
  stop: AbortSignal,
  maxRequests = RATE_PER_S * 600,
): Promise<TrafficResult & { maxLatencyMs: number }> {
  const pool = new Pool(url, { connections: 200, headersTimeout: 15_000, bodyTimeout: 15_000 });
  const started = performance.now();
  const r = {
    ok: 0,
    failed: 0,
    failures: [] as TrafficResult['failures'],
    acknowledged: [] as TrafficResult['acknowledged'],
    writesSent: [] as string[],
    reads: 0,
    writes: 0,
    elapsedMs: 0,
    maxLatencyMs: 0,
  };
  const accounts = (
    (await (await pool.request({ path: '/api/accounts', method: 'GET' })).body.json()) as {
      accounts: Array<{ id: number }>;
    }
  ).accounts.map((a) => a.id);
  // Makes every memo unique, so each write can be counted in the database.
  const tag = crypto.randomUUID();
  const one = async (n: number): Promise<void> => {
    const write = n % 10 < 3;
    const a = accounts[n % accounts.length]!;
    const b = accounts[(n + 1) % accounts.length]!;
    const reqPath = write ? '/api/journal-entries' : n % 5 === 0 ? '/api/accounts' : `/api/accounts/${a}/balance`;
    const method = write ? 'POST' : 'GET';
    const memo = `slow-db ${tag} #${n}`;
    if (write) r.writesSent.push(memo);
    const body = write
      ? JSON.stringify({
          memo,
          lines: [
            { account_id: a, debit: '1.00', credit: '0' },
            { account_id: b, debit: '0', credit: '1.00' },
          ],
        })
      : undefined;
    const sent = performance.now();
    try {
      const res = await pool.request({
        path: reqPath,
        method,
        body,
        headers: body ? { 'content-type': 'application/json' } : {},
      });
      const text = await res.body.text();
      r.maxLatencyMs = Math.max(r.maxLatencyMs, performance.now() - sent);
      if (write) r.writes += 1;
      else r.reads += 1;
      if (res.statusCode !== (write ? 201 : 200)) throw new Error(`${res.statusCode} ${text.slice(0, 200)}`);
      if (write) r.acknowledged.push({ id: (JSON.parse(text) as { id: number }).id, memo });
      r.ok += 1;
    } catch (err) {
      r.failed += 1;
      if (r.failures.length < 100)
        r.failures.push({
          at: Math.round(performance.now() - started),
          method,
          path: reqPath,
          error: (err as Error).message,
        });
    }
  };
  const inFlight: Promise<void>[] = [];
  for (let n = 0; n < maxRequests && !stop.aborted; n += 1) {
    inFlight.push(one(n));
    await new Promise((res) => setTimeout(res, 1000 / RATE_PER_S));
  }
  await Promise.all(inFlight);
  await pool.close();
  r.elapsedMs = performance.now() - started;
  return r;
}

/**
 * From the first monitor sample until the monitor's verdict (or the rollback's start, or the bound): the ledger's
 * tables locked ACCESS EXCLUSIVE in back-to-back 3-s transactions. Released before the rollback touches a host.
 */
async function slowDatabase(
  lab: LabConfig,
  runId: string,
  done: AbortSignal,
): Promise<{ startedMs: number; endedMs: number; cycles: number }> {
  const dir = evidenceDirOf(runId);
  const has = (f: string): boolean => fs.existsSync(path.join(dir, f));
  const lines = (f: string): string[] =>
    has(f) ? fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean) : [];
  const reacted = (): boolean =>
    fs.existsSync(dir) &&
    (fs.readdirSync(dir).some((f) => /^monitor_\d.*\.json$/.test(f)) ||
      lines('events.jsonl').some((l) => l.includes('"rollback_started"')));
  while (lines('monitor_samples.jsonl').length < 1) {
    if (done.aborted) return { startedMs: 0, endedMs: 0, cycles: 0 };
    await new Promise((r) => setTimeout(r, 200));
  }
  const client = new Client({
    host: lab.pg.host,
    port: lab.pg.port,
    database: lab.pg.database,
    user: lab.pg.appUser,
    password: readPassword(lab, 'app'),
    application_name: 'poolgate-e2e-slow-db',
  });
  client.on('error', () => undefined);
  await client.connect();
  const startedMs = Date.now();
  let cycles = 0;
  try {
    while (!reacted() && !done.aborted && Date.now() - startedMs < LOCK_BOUND_MS) {
      await client.query('BEGIN');
      await client.query('LOCK TABLE journal_entries, journal_lines IN ACCESS EXCLUSIVE MODE');
      const until = Date.now() + LOCK_HOLD_MS;
      while (Date.now() < until && !reacted() && !done.aborted) await new Promise((r) => setTimeout(r, 100));
      await client.query('COMMIT');
      cycles += 1;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return { startedMs, endedMs: Date.now(), cycles };
}

void t.test('a slow database during monitoring fires a rollback trigger and rolls everything back', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));

  const runId = `e2e-slow-db-${Date.now()}`;
  const dir = evidenceDirOf(runId);
  const stop = new AbortController();
  t.teardown(() => stop.abort());
  const traffic = openLoopTraffic(lab.haproxy.url, stop.signal);
  const connections = peakConnections(lab, stop.signal);
  const slow = slowDatabase(lab, runId, stop.signal);
  // Lab-sized monitoring (a dict given by -e replaces the inventory's whole): sampled every 2 s for at most 40 s,
  // the triggers sustained 6 s over at least 3 samples.
  const base = shortRun(lab).pool_scaling_monitor as { triggers: Array<Record<string, unknown>> } & Record<
    string,
    unknown
  >;
  const monitor = {
    ...base,
    interval_s: 2,
    duration_s: 40,
    triggers: base.triggers.map((tr) => ({ ...tr, sustained_s: 6, min_samples: 3 })),
  };
  const run = await runPlaybook(
    'pool-scaling.yml',
    runVars(lab, runId, { pool_scaling_apply_method: 'sighup', pool_scaling_monitor: monitor }),
  );
  stop.abort();
  const [sent, db, lock] = await Promise.all([traffic, connections, slow]);

  t.ok(
    lock.cycles > 0,
    `the ledger's tables were locked from the first monitor sample for ${lock.endedMs - lock.startedMs} ms (${lock.cycles} cycles of ${LOCK_HOLD_MS} ms)`,
  );
  t.not(run.code, 0, 'the playbook ends failed', { out: (run.stdout + run.stderr).slice(-4000) });
  await assertLbReady(t, lab, 'after the rollback');
  t.match(run.stdout, /ROLLED BACK/, 'it says it rolled back');
  const samples = fs
    .readFileSync(path.join(dir, 'monitor_samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { fleet: { p95_ms: number | null } });
  const p95Peak = Math.max(...samples.map((s) => s.fleet.p95_ms ?? 0));
  t.ok(p95Peak > 1000, `the monitor saw the fleet's p95 reach ${Math.round(p95Peak)} ms (trigger: > 1000 ms)`);
  const rollbackLog = fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8');
  t.match(rollbackLog, /p95_latency_sustained/, 'rollback_log.txt names the trigger');
  const incidents = fs.existsSync(path.join(dir, 'incidents')) ? fs.readdirSync(path.join(dir, 'incidents')) : [];
  const incident = incidents.find((f) => /_pool_scaling_incident\.md$/.test(f));
  t.ok(
    incident && /p95_latency_sustained/.test(fs.readFileSync(path.join(dir, 'incidents', incident), 'utf8')),
    'the incident file exists and names the trigger',
  );

  for (const [name, p] of await readPools(lab))
    t.same([p.pool.max, p.pool.min], [50, 10], `${name} runs max 50 / min 10 again (read back)`);
  const ev = events(dir);
  const rollbackAt = Date.parse(String(ev.find((e) => e.action === 'rollback_started')?.at));
  t.ok(
    ev.some((e) => e.action === 'rollback_verified'),
    'the rollback read back every instance',
  );
  t.comment(
    `lock → rollback_started: ${((rollbackAt - lock.startedMs) / 1000).toFixed(1)} s; lock released ${((lock.endedMs - lock.startedMs) / 1000).toFixed(1)} s after it started`,
  );
  t.same(evidenceProblems(dir), [], 'every evidence file validates against its schema');
  t.ok(await evidenceVerifies(dir), 'the evidence is sealed and its manifest verifies');

  // Slow, never failed: the longest wait (one lock hold plus queueing) stays far below HAProxy's 30-s server timeout
  // and the client's 15 s, and the rollback is the zero-downtime path.
  t.equal(sent.failed, 0, `zero failed requests (${sent.ok} ok, slowest ${Math.round(sent.maxLatencyMs)} ms)`, {
    failures: sent.failures.slice(0, 5),
  });
  t.ok(sent.maxLatencyMs > 1000, 'the traffic itself saw the slowdown');
  await assertWritesExactlyOnce(t, lab, sent);
  const budget = 4 * 200 + 50 + 20;
  t.ok(
    db.samples > 10 && db.peak <= budget,
    `PostgreSQL connections peaked at ${db.peak} ≤ ${budget} (${db.samples} samples)`,
  );
});
