import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import type { LabConfig } from '../../lab/lab-config';
import { PG_BIN } from '../../lab/control/postgres';
import { asPgUser, run } from '../../lab/control/proc';
import { packageRoot } from '../../scripts/lib/paths';

/**
 * Helpers shared by the preflight, snapshot and verify integration tests: run the compiled CLI, write a plan
 * for the slot's lab, and drive extra PostgreSQL clusters (a throwaway small server, a streaming replica) as the
 * postgres OS user. Everything these start, the caller stops in t.teardown.
 */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | null;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(packageRoot, 'dist', 'scripts', 'cli.js'), ...args], {
      cwd: packageRoot,
      env: { ...process.env, ...env },
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        json = null;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/** A plan for the lab that passes every attestation (and a fresh backup stamp in `dir`), so a test changes exactly one thing. */
export function labPlan(
  cfg: LabConfig,
  dir: string,
  over: {
    preflight?: Record<string, unknown>;
    database?: Record<string, unknown>;
    verify?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  const now = new Date().toISOString();
  const backupStamp = path.join(dir, 'last_backup');
  fs.writeFileSync(backupStamp, `${now}\n`);
  return {
    run_id: `it-slot${cfg.slot}`,
    operator: 'integration test',
    change: {
      from: { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
      to: { min: 20, max: 200, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
    },
    targets: cfg.instances.map((i) => ({ name: i.name, url: i.url, role: i.role, log: i.logPath })),
    database: {
      host: cfg.pg.host,
      port: cfg.pg.port,
      database: cfg.pg.database,
      user: cfg.pg.monitorUser,
      password_file: cfg.pg.monitorPasswordFile,
      app_user: cfg.pg.appUser,
      ...over.database,
    },
    preflight: {
      window_s: 1,
      backup: { source: 'file', file: backupStamp },
      restore_tested: { by: 'integration test', at: now },
      change_window: { override: { reason: 'integration test outside the window', by: 'integration test' } },
      capacity: { other_clients_peak: 5 },
      attestations: {
        system_stable: { by: 'integration test', at: now },
        rollback_plan_tested: { by: 'integration test', at: now },
        dashboards_visible: { by: 'integration test', at: now },
        on_call: { name: 'integration test', response_minutes: 10 },
      },
      ...over.preflight,
    },
    // Every monitor trigger's source, as preflight requires (the database above, its CPU here, a P0 file).
    monitor: {
      db_cpu: { pid_file: path.join(cfg.pg.dataDir, 'postmaster.pid') },
      p0: { file: path.join(dir, 'P0') },
    },
    ...(over.verify ? { verify: over.verify } : {}),
  };
}

/**
 * Every source the runbook's monitor triggers need, as flags (monitor refuses to start without them): the database,
 * its CPU from the postmaster.pid, and a P0 file in `dir` (absent: no P0 open).
 */
export function monitorSourceFlags(cfg: LabConfig, dir: string): string[] {
  return [
    '--db-host',
    cfg.pg.host,
    '--db-port',
    String(cfg.pg.port),
    '--db-name',
    cfg.pg.database,
    '--db-user',
    cfg.pg.monitorUser,
    '--db-password-file',
    cfg.pg.monitorPasswordFile,
    '--db-cpu-pid-file',
    path.join(cfg.pg.dataDir, 'postmaster.pid'),
    '--p0-file',
    path.join(dir, 'P0'),
  ];
}

export function writePlan(dir: string, plan: Record<string, unknown>): string {
  const file = path.join(dir, 'plan.json');
  fs.writeFileSync(file, JSON.stringify(plan, null, 2));
  return file;
}

/** A folder the postgres OS user owns (clusters cannot live in root's). */
export function pgOwnedDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) fs.chownSync(dir, pgUid(), pgGid());
  return dir;
}

function pgUid(): number {
  return Number(
    fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'))!
      .split(':')[2],
  );
}
function pgGid(): number {
  return Number(
    fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'))!
      .split(':')[3],
  );
}

export async function pgTool(cmd: string, args: string[], env?: NodeJS.ProcessEnv, input?: string): Promise<string> {
  const [c, a] = asPgUser(path.join(PG_BIN, cmd), args);
  const r = await run(c, a, { env: { ...process.env, ...env }, input, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** SQL as the superuser over a unix socket (peer authentication), one value per line. */
export function superSql(socketDir: string, port: number, sql: string, database = 'postgres'): Promise<string> {
  return pgTool(
    'psql',
    ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-d', database],
    undefined,
    sql,
  );
}

/** Stop a cluster started by a test (fast: nothing in it matters). */
export async function stopCluster(dataDir: string): Promise<void> {
  if (!fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return;
  await pgTool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A replication role on the lab's cluster with its pg_hba line (the lab itself has neither: no replica, pg_dump
 * backups), for a test that streams from it; removed, with the line, when the test ends. Returns its password.
 */
export async function replicationRole(t: Test, cfg: LabConfig, role: string): Promise<string> {
  const password = `r${Math.random().toString(36).slice(2)}${Date.now()}`;
  const hba = path.join(cfg.pg.dataDir, 'pg_hba.conf');
  const line = `host replication ${role} 127.0.0.0/8 scram-sha-256 # poolgate integration test`;
  t.teardown(async () => {
    fs.writeFileSync(
      hba,
      fs
        .readFileSync(hba, 'utf8')
        .split('\n')
        .filter((l) => l !== line)
        .join('\n'),
    );
    await superSql(cfg.pg.socketDir, cfg.pg.port, `SELECT pg_reload_conf(); DROP ROLE IF EXISTS ${role};`).catch(
      () => undefined,
    );
  });
  await superSql(
    cfg.pg.socketDir,
    cfg.pg.port,
    `DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role} REPLICATION LOGIN PASSWORD '${password}';`,
  );
  fs.appendFileSync(hba, `${line}\n`);
  await superSql(cfg.pg.socketDir, cfg.pg.port, 'SELECT pg_reload_conf();');
  return password;
}
