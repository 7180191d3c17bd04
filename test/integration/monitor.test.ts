import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import t, { type Test } from 'tap';
import { isValid, problemsOf } from '../../scripts/lib/schema';
import type { MonitorResult } from '../../scripts/types/monitor-result';
import { readPassword, steadyTraffic, useLab, type LabHandle } from '../helpers/lab';
import { runPoolgate, type ProcessRun } from '../helpers/poolgate-cli';
import { monitorSourceFlags } from './cli-support';

const poolgate = (args: string[], timeoutMs = 90_000): Promise<ProcessRun> => runPoolgate(args, timeoutMs);

const targetFlags = (lab: LabHandle, roles = ['standby', 'primary']): string[] =>
  lab.instances.filter((i) => roles.includes(i.role)).flatMap((i) => ['--target', `${i.name}=${i.url}`]);

function parseResult(t: Test, stdout: string): MonitorResult {
  const json: unknown = JSON.parse(stdout);
  t.ok(isValid('monitor-result', json), `monitor --json validates: ${problemsOf('monitor-result', json).join('; ')}`);
  return json as MonitorResult;
}

/**
 * Make the database slow the way production gets slow, as test/e2e/rollout-slow-database.test.ts does: another
 * session takes ACCESS EXCLUSIVE on the table both read endpoints use, holds it `LOCK_HOLD_MS`, commits and takes
 * it again at once, until aborted (bounded by `maxMs`). The service's p95 covers requests that FINISHED in its
 * 60-s window, so a lock never released would be invisible; released without a gap, the reads queued behind it
 * still go first (PostgreSQL grants the lock queue in order), so each one finishes with up to a hold of latency.
 */
const LOCK_HOLD_MS = 3000;

async function holdLocks(lab: LabHandle, signal: AbortSignal, maxMs = 60_000): Promise<number> {
  const c = new Client({
    host: lab.pg.host,
    port: lab.pg.port,
    database: lab.pg.database,
    user: lab.pg.appUser,
    password: readPassword(lab, 'app'),
    application_name: 'poolgate-test-locker',
  });
  c.on('error', () => undefined);
  await c.connect();
  const started = Date.now();
  let rounds = 0;
  try {
    while (!signal.aborted && Date.now() - started < maxMs) {
      await c.query('BEGIN');
      await c.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
      // held in a client-side wait (not pg_sleep) so an abort releases it within 100 ms
      const until = Date.now() + LOCK_HOLD_MS;
      while (Date.now() < until && !signal.aborted) await new Promise((r) => setTimeout(r, 100));
      await c.query('COMMIT');
      rounds++;
    }
  } finally {
    await c.end().catch(() => undefined);
  }
  return rounds;
}

/**
 * The service's figures (latency, acquire wait) cover its last `window_s` seconds: a window that still holds an
 * instance's start-up (its pool connecting while the other test job loads the machine) or an API request (the lab's
 * own "traffic via haproxy" check when it came up) is not quiet. Waits until no instance's window holds either
 * (bounded: two minutes).
 */
async function quietWindows(lab: LabHandle): Promise<number> {
  const started = Date.now();
  for (;;) {
    const docs = await Promise.all(
      lab.instances.map(
        async (i) =>
          (await (await fetch(`${i.url}/api/health/metrics`)).json()) as {
            uptime_s: number;
            window_s: number;
            latency: { count: number };
          },
      ),
    );
    if (docs.every((d) => d.uptime_s > d.window_s + 1 && d.latency.count === 0)) return Date.now() - started;
    if (Date.now() - started > 120_000)
      throw new Error(`instances still inside their start-up window: ${JSON.stringify(docs)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Five samples a second apart, triggers sustained 2 s. */
const QUIET_WINDOW = ['--interval', '1s', '--duration', '4s', '--sustained', '2s'];

t.test('monitor on the lab', async (t) => {
  const lab = await useLab(t);

  t.test('without a source for every trigger it judges, monitor refuses to start (exit 2)', async (t) => {
    const dir = t.testdir({});
    const r = await poolgate(['monitor', ...targetFlags(lab), ...QUIET_WINDOW, '--evidence-dir', dir]);
    t.equal(r.code, 2, r.stderr);
    t.match(r.stderr, /monitor will not start without a source/);
    t.match(r.stderr, /db_cpu_sustained needs db_cpu .*--db-cpu-pid-file/);
    t.match(r.stderr, /db_connection_thrashing needs database/);
    t.match(r.stderr, /p0_incident needs p0 .*--p0-file/);
    t.same(fs.readdirSync(dir), [], 'nothing was sampled or written');
  });

  // Quiet = no request to any instance's API (nothing but HAProxy's health checks, which only acquire a connection),
  // and no instance's start-up left in its window. Then the report from monitor evidence alone has exactly one
  // outcome: nothing measured fails, and what a monitor cannot measure (the pool's target without a plan or verify;
  // error rate and p95 without any request) is COULD_NOT_MEASURE: INCOMPLETE, exit 3.
  t.test('a quiet window passes: exit 0, JSON and every sample validate, DB probed, DB CPU from /proc', async (t) => {
    const dir = t.testdir({});
    t.comment(`waited ${await quietWindows(lab)} ms for every instance's window to hold no start-up and no request`);
    const r = await poolgate([
      'monitor',
      ...targetFlags(lab),
      ...monitorSourceFlags(lab, dir),
      ...QUIET_WINDOW,
      '--evidence-dir',
      dir,
      '--json',
    ]);
    t.equal(r.code, 0, r.stderr);
    const res = parseResult(t, r.stdout);
    t.equal(res.verdict, 'PASS');
    t.equal(res.completed, true);
    t.equal(res.samples.total, 5);
    t.equal(res.samples.unmeasured, 0);
    t.equal(res.summary.db_cpu_pct.measured_samples, 4, 'every sample after the first has a DB CPU rate');
    t.ok(
      res.summary.db_backends.max! >= 4,
      `the pools' connections are visible in pg_stat_activity (${res.summary.db_backends.max})`,
    );
    t.same(res.summary.pool_max, { 'standby-1': 50, 'standby-2': 50, 'primary-1': 50, 'primary-2': 50 });
    const lines = fs.readFileSync(path.join(dir, 'monitor_samples.jsonl'), 'utf8').trim().split('\n');
    t.equal(lines.length, 5);
    t.ok(
      lines.every((l) => isValid('monitor-sample', JSON.parse(l))),
      'every JSONL line validates',
    );
    t.ok(fs.readdirSync(dir).some((f) => /^monitor_\d{8}T\d{6}Z\.json$/.test(f)));

    const rep = await poolgate(['report', '--evidence-dir', dir, '--operator', 'lab test', '--json']);
    const report = JSON.parse(rep.stdout) as {
      decision: string;
      criteria: Array<{ id: string; verdict: string; shown: string }>;
    };
    t.comment(report.criteria.map((c) => `${c.id}: ${c.verdict} (${c.shown})`).join('\n'));
    t.equal(
      report.criteria.find((c) => c.id === 'pool_max')?.verdict,
      'COULD_NOT_MEASURE',
      'no plan or verify: the target max is not proven',
    );
    t.same(
      report.criteria.filter((c) => c.verdict === 'FAIL').map((c) => `${c.id}: ${c.shown}`),
      [],
      'nothing measured in a quiet window fails',
    );
    t.same(
      report.criteria
        .filter((c) => c.verdict === 'COULD_NOT_MEASURE')
        .map((c) => c.id)
        .sort(),
      ['error_rate', 'p95_latency', 'pool_max'],
      'not measured: the target max (no plan or verify), error rate and p95 (no request)',
    );
    t.equal(report.decision, 'INCOMPLETE', 'monitor evidence alone is INCOMPLETE, never SUCCESS');
    t.equal(rep.code, 3, 'exit 3: could not measure');
    const seal = await poolgate(['evidence', 'seal', dir]);
    t.equal(seal.code, 0, seal.stderr);
    t.equal((await poolgate(['evidence', 'verify', dir])).code, 0);
    fs.appendFileSync(path.join(dir, 'monitor_samples.jsonl'), '{}\n');
    const tampered = await poolgate(['evidence', 'verify', dir]);
    t.equal(tampered.code, 1);
    t.match(tampered.stdout, /changed\s+monitor_samples\.jsonl/);
  });

  t.test('active DB connections are judged against the range: a WARNING line, never a trigger', async (t) => {
    const dir = t.testdir({});
    // Four instances each hold at least their pool's min (10): pg_stat_activity counts 40 or more. A range that
    // excludes that count must warn; a range around it must not.
    const run = async (name: string, range: { min: number; max: number }) => {
      const config = path.join(dir, `${name}.json`);
      fs.writeFileSync(config, JSON.stringify({ interval_s: 1, duration_s: 2, db_connections: range }));
      const ev = path.join(dir, name);
      const r = await poolgate([
        'monitor',
        ...targetFlags(lab),
        ...monitorSourceFlags(lab, dir),
        '--config',
        config,
        '--sustained',
        '1s',
        '--evidence-dir',
        ev,
        '--json',
      ]);
      return { r, res: parseResult(t, r.stdout), ev };
    };
    const low = await run('too-low', { min: 1, max: 20 });
    t.equal(low.r.code, 0, `a warning does not fail monitoring: ${low.r.stderr}`);
    const d = low.res.summary.db_connections!;
    t.same([d.verdict, d.measured_samples, d.outside_samples], ['WARN', 3, 3], `counts ${d.lowest}–${d.highest}`);
    t.ok(d.lowest! >= 40, `every instance's pool min is connected (${d.lowest})`);
    t.match(
      fs.readFileSync(path.join(low.ev, 'alerts.log'), 'utf8'),
      /WARNING\s+metric=db_backends value=\d+ threshold=20 instance=fleet/,
    );
    const rep = await poolgate(['report', '--evidence-dir', low.ev, '--operator', 'lab test']);
    const md = fs.readdirSync(low.ev).find((f) => /^pool_scaling_verification_.*\.md$/.test(f))!;
    t.match(
      fs.readFileSync(path.join(low.ev, md), 'utf8'),
      /- Active DB connections \(runbook: 20-60 under normal load\) — \d+(–\d+)? \(range 1–20, plan monitor\.db_connections\): WARN, 3\/3 samples outside/,
      `the report has its own line (${rep.code})`,
    );
    const fits = await run('fits', { min: 1, max: 1000 });
    t.equal(fits.res.summary.db_connections!.verdict, 'PASS');
    t.equal(fits.res.alerts.warning, 0);
  });

  t.test('a database made slow by a held lock fires the p95 trigger (exit 1) and names it', async (t) => {
    const dir = t.testdir({});
    const stop = new AbortController();
    t.teardown(() => stop.abort());
    // Paced, not closed-loop: closed-loop workers wait out each lock and then fire hundreds of fast requests in
    // any gap, which keeps the windowed p95 fast on a quiet machine. 8 workers × 100 ms think time (≤ 80 req/s,
    // like the e2e's open-loop 20 req/s) send about one request per worker per hold, and nearly all of them wait.
    const traffic = steadyTraffic(lab.haproxy.url, {
      concurrency: 8,
      pauseMs: 100,
      durationMs: 60_000,
      maxRequests: 5000,
      writeRatio: 0,
      signal: stop.signal,
    });
    await new Promise((r) => setTimeout(r, 500));
    const locker = holdLocks(lab, stop.signal);
    const r = await poolgate([
      'monitor',
      ...targetFlags(lab, ['primary']),
      ...monitorSourceFlags(lab, dir),
      '--interval',
      '1s',
      '--duration',
      '45s',
      '--sustained',
      '3s',
      '--evidence-dir',
      dir,
      '--json',
    ]);
    stop.abort();
    const [rounds, sent] = await Promise.all([locker, traffic]);
    t.ok(rounds >= 1, `the lock was held ${rounds} time(s) of ${LOCK_HOLD_MS} ms`);
    // slow, never failed: a hold is far below the client's 15 s and HAProxy's 30 s, so the trigger is latency alone
    t.ok(sent.ok > 0 && sent.failed === 0, `traffic: ${sent.ok} ok, ${sent.failed} failed in ${sent.elapsedMs} ms`, {
      failures: sent.failures.slice(0, 5),
    });
    t.equal(r.code, 1, r.stderr);
    const res = parseResult(t, r.stdout);
    t.equal(res.verdict, 'FAIL');
    t.equal(res.trigger?.name, 'p95_latency_sustained');
    t.ok(
      res.trigger!.value! > 1000,
      `p95 ${res.trigger!.value} ms (fleet p95 max over the run ${res.summary.p95_ms.max} ms)`,
    );
    t.ok(res.trigger!.run_span_s >= 3);
    t.equal(res.completed, false, 'stopped early');
    t.ok(res.samples.total < 46);
    t.match(
      fs.readFileSync(path.join(dir, 'alerts.log'), 'utf8'),
      /CRITICAL metric=p95_ms value=\d+(\.\d+)?ms threshold=1000ms instance=primary-\d/,
    );
    t.match(r.stdout, /p95_latency_sustained/);
  });

  t.test('an unreachable instance is "could not measure" (exit 3), never passed', async (t) => {
    const dir = t.testdir({});
    const ghost = `http://${lab.net}.99:3000`;
    const r = await poolgate([
      'monitor',
      ...targetFlags(lab, ['primary']),
      '--target',
      `ghost=${ghost}`,
      ...monitorSourceFlags(lab, dir),
      '--interval',
      '1s',
      '--duration',
      '10s',
      '--sustained',
      '3s',
      '--evidence-dir',
      dir,
      '--json',
    ]);
    t.equal(r.code, 3, r.stderr);
    const res = parseResult(t, r.stdout);
    t.equal(res.verdict, 'COULD_NOT_MEASURE');
    t.same(res.outage?.what, ['ghost']);
    t.equal(res.outage?.consecutive_unmeasured, 3, 'the default policy tolerates gaps up to 3 in a row, then says so');
    t.equal(res.completed, false);
  });
});
