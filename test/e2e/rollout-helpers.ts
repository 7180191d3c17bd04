import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { labAuthHeaders, labConfig, RUNBOOK_BASELINE_POOL, type LabConfig } from '../../lab/lab-config';
import { collectStatus } from '../../lab/control/status';
import { shortRunVars } from '../../lab/short-run';
import { setServerState } from '../../scripts/lib/haproxy-socket';
import { defaultEvidenceRoot, packageRoot } from '../../scripts/lib/paths';
import {
  evidenceFile,
  folderProblems,
  readEvents,
  readEvidence,
  type EvidenceKindName,
  type RolloutEvent,
} from '../../scripts/lib/run-evidence';
import { pgQuery, runLabScript, steadyTraffic, type TrafficResult } from '../helpers/lab';

/**
 * What the end-to-end tests of the rollout share: run ansible-playbook on the lab, keep traffic flowing through
 * HAProxy while it runs, poll PostgreSQL's connection count, read every instance back, and put the lab back to
 * the runbook's baseline afterwards.
 */
const exec = promisify(execFile);

/** Lab-sized durations (lab/short-run.ts), the lab's database CPU read on its db host and its P0 file. */
export function shortRun(cfg: LabConfig): Record<string, unknown> {
  return shortRunVars({
    // The scenario of the service the lab runs (the reference ledger, or an example: POOLGATE_LAB_SERVICE).
    scenario: cfg.service.scenario,
    db_cpu: { host: 'lab-db', pid_file: path.join(cfg.pg.dataDir, 'postmaster.pid') },
    p0: { file: path.join(cfg.stateDir, 'P0') },
  });
}

export interface PlaybookRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * What a run said it ended with: its ROLLED BACK, ROLLBACK INCOMPLETE or REFUSED line (Ansible's YAML callback folds
 * it; spaces are joined again), so that a failed assertion names the cause in CI's one-line summary of it.
 */
export function runOutcome(run: PlaybookRun): string {
  const said = run.stdout.replace(/\s+/g, ' ').replace(/''/g, "'");
  const line = [...said.matchAll(/(?:ROLLED BACK|ROLLBACK INCOMPLETE|REFUSED[^:]{0,40}):.{0,300}/g)].pop();
  if (line) return line[0];
  return run.code === 0 ? 'exit 0' : `exit ${run.code}, no outcome line: …${said.slice(-300)}`;
}

/** The run ended 0; when it did not, the assertion's name says what the run ended with. */
export function assertRunSucceeded(t: Test, run: PlaybookRun, what: string): void {
  t.equal(run.code, 0, run.code === 0 ? what : `${what} — ${runOutcome(run)}`, { stdout: run.stdout.slice(-4000) });
}

// A test that ends early (timeout, failure, signal) must not leave a playbook changing the lab behind it.
const running = new Set<ChildProcess>();
const killAll = (): void => {
  for (const child of running) child.kill('SIGTERM');
};
process.once('exit', killAll);

/**
 * ansible-playbook with the lab inventory (or another: the fleet's) and JSON extra vars; bounded in time, stopped if
 * the test process ends.
 */
export function runPlaybook(
  playbook: string,
  extraVars: Record<string, unknown>,
  args: string[] = [],
  timeoutMs = 600_000,
  opts: { inventory?: string; env?: Record<string, string> } = {},
): Promise<PlaybookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ansible-playbook',
      ['-i', opts.inventory ?? 'inventory/lab', `playbooks/${playbook}`, '-e', JSON.stringify(extraVars), ...args],
      {
        cwd: packageRoot,
        env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0', ...opts.env },
        timeout: timeoutMs,
      },
    );
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Extra vars every e2e run uses: its own run id (so the test knows the evidence folder) and short durations. Each
 * test starts from the restored baseline, so it retries on purpose a change an earlier test rolled back (the
 * refusal itself is tested by rollout-rollback.test.ts, which sets no reason); and no revert branch is prepared in
 * the developer's checkout the suite runs from (rollout-rollback.test.ts proves the revert on its own repository).
 */
export const SUITE_RETRY_REASON = 'e2e: every test starts from the restored baseline';

export function runVars(cfg: LabConfig, runId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pool_scaling_run_id: runId,
    pool_scaling_retry_reason: SUITE_RETRY_REASON,
    pool_scaling_prepare_revert: false,
    ...shortRun(cfg),
    ...extra,
  };
}

/** A target pool that no database here has the connections for: preflight's capacity gate refuses it. */
export const POOL_BEYOND_CAPACITY = { ...RUNBOOK_BASELINE_POOL, min: 20, max: 5000 };

export const evidenceDirOf = (runId: string): string => path.join(defaultEvidenceRoot(), runId);

/** A run's newest evidence file of a kind, read through its schema by run-evidence; missing or invalid throws. */
export function evidenceOf<T>(dir: string, kind: EvidenceKindName): T {
  const r = readEvidence<T>(dir, kind);
  if (r.status !== 'used')
    throw new Error(`${kind} evidence in ${dir}: ${r.status === 'missing' ? 'missing' : r.detail}`);
  return r.value;
}

export interface PoolInForce {
  instance: string;
  pool: { min: number; max: number };
  sha256: string;
  generation: number;
}

export async function readPools(cfg: LabConfig): Promise<Map<string, PoolInForce>> {
  const out = new Map<string, PoolInForce>();
  for (const i of cfg.instances) {
    const res = await fetch(`${i.url}/api/health/pool-config`, { headers: labAuthHeaders(cfg) });
    out.set(i.name, (await res.json()) as PoolInForce);
  }
  return out;
}

export async function labctl(...args: string[]): Promise<string> {
  const { stdout } = await exec(path.join(packageRoot, 'lab', 'bin', 'labctl'), args, {
    cwd: packageRoot,
    env: process.env,
    timeout: 60_000,
  });
  return stdout.trim();
}

export async function pids(cfg: LabConfig): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const i of cfg.instances) out[i.name] = await labctl('pid', i.name);
  return out;
}

export function configHashes(cfg: LabConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of cfg.instances)
    out[i.name] = crypto.createHash('sha256').update(fs.readFileSync(i.configPath)).digest('hex');
  return out;
}

/**
 * Back to the runbook's baseline (min 10 / max 50) on every instance, every server ready at HAProxy, and a fresh
 * backup for the backup gate. Used before and after each test so one test's outcome never leaks into the next.
 */
export async function restoreBaseline(cfg: LabConfig): Promise<void> {
  const text = `${JSON.stringify(RUNBOOK_BASELINE_POOL, null, 2)}\n`;
  for (const i of cfg.instances) {
    if (!fs.existsSync(i.configPath) || fs.readFileSync(i.configPath, 'utf8') !== text)
      fs.writeFileSync(i.configPath, text);
    for (const f of fs.readdirSync(path.dirname(i.configPath))) {
      if (f.startsWith(`${path.basename(i.configPath)}.bak-`)) fs.rmSync(path.join(path.dirname(i.configPath), f));
    }
  }
  const sha = crypto.createHash('sha256').update(text).digest('hex');
  for (const i of cfg.instances) {
    const status = await labctl('status', i.name).catch(() => '');
    if (!/RUNNING/.test(status)) await labctl('start', i.name);
    const res = await fetch(`${i.url}/api/health/pool-config`, { headers: labAuthHeaders(cfg) }).catch(() => null);
    const now = res ? ((await res.json()) as PoolInForce) : null;
    if (!now || now.sha256 !== sha) await labctl('hup', i.name);
    await setServerState(cfg.haproxy.socket, cfg.haproxy.backend, i.name, 'ready');
  }
  await waitFor(
    async () => [...(await readPools(cfg)).values()].every((p) => p.sha256 === sha),
    30_000,
    'baseline config in force everywhere',
  );
  await exec('bash', [path.join(packageRoot, 'scripts', 'lab-backup.sh'), 'take'], {
    cwd: packageRoot,
    env: process.env,
  });
}

/**
 * The lab of this slot run another way for one test (POOLGATE_LAB_SERVICE, POOLGATE_LAB_TOKEN, ...): lab-up with
 * those variables (idempotent: it restarts the instances when their command or environment changed), and a
 * teardown that leaves the slot as it was — down if it was not up, else back up the default way.
 */
export async function labWith(
  t: Test,
  vars: Record<string, string>,
): Promise<{ lab: LabConfig; up: Awaited<ReturnType<typeof runLabScript>> }> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const wasUp = (await collectStatus(labConfig())).healthy;
  Object.assign(process.env, vars);
  const lab = labConfig();
  t.teardown(async () => {
    await restoreBaseline(lab).catch(() => undefined);
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (!wasUp && process.env.POOLGATE_LAB_KEEP !== '1') await runLabScript('lab-down');
    else await runLabScript('lab-up');
  });
  return { lab, up: await runLabScript('lab-up') };
}

/** Until `check` holds; throws when `timeoutMs` passes first, or as soon as `signal` aborts (the run it watched ended). */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 250,
  signal?: AbortSignal,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !signal?.aborted) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${signal?.aborted ? 'gave up (the run ended) ' : 'timed out '}waiting for ${what}`);
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** aborted when the run ends: the wait stops there instead of running out its timeout */
  signal?: AbortSignal;
}

/** Until the run's events.jsonl holds an event matching `pred` (a fault injected then falls at that step). */
export async function eventSeen(
  runId: string,
  pred: (e: RolloutEvent) => boolean,
  what: string,
  { timeoutMs = 600_000, intervalMs = 250, signal }: WaitOptions = {},
): Promise<void> {
  await waitFor(async () => events(evidenceDirOf(runId)).some(pred), timeoutMs, what, intervalMs, signal);
}

/**
 * Until the run's monitor has taken `n` samples: the change is in force and being watched, so a fault injected now
 * falls in the monitoring window (each sample is a line of the run's monitor_samples.jsonl).
 */
export function monitorSampled(runId: string, n: number, signal?: AbortSignal): Promise<void> {
  const file = path.join(evidenceDirOf(runId), evidenceFile('monitor_samples'));
  return waitFor(
    async () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length >= n,
    600_000,
    `the monitor's first ${n} samples of the changed hosts`,
    250,
    signal,
  );
}

/**
 * Traffic through HAProxy until `stop` is aborted (each round bounded by steadyTraffic itself), paced at most
 * 2 × 1000 / TRAFFIC_THINK_MS requests/s. Normal traffic sits well below capacity: unpaced, the pre-change snapshot
 * would measure the machine's ceiling as the baseline, and the load test (baseline_factor 1) would ask for as much
 * again on top, which a 2-core machine running two tap jobs cannot serve within the runbook's latency criteria.
 */
const TRAFFIC_THINK_MS = 10;
export function trafficUntil(url: string, stop: AbortSignal): Promise<TrafficResult> {
  return (async () => {
    const total: TrafficResult = {
      ok: 0,
      failed: 0,
      failures: [],
      acknowledged: [],
      writesSent: [],
      reads: 0,
      writes: 0,
      elapsedMs: 0,
    };
    for (let round = 0; round < 20 && !stop.aborted; round += 1) {
      const r = await steadyTraffic(url, {
        concurrency: 2,
        durationMs: 60_000,
        writeRatio: 0.3,
        maxRequests: 20_000,
        pauseMs: TRAFFIC_THINK_MS,
        signal: stop,
      });
      total.ok += r.ok;
      total.failed += r.failed;
      total.failures.push(...r.failures.slice(0, 100 - total.failures.length));
      total.acknowledged.push(...r.acknowledged);
      total.writesSent.push(...r.writesSent);
      total.reads += r.reads;
      total.writes += r.writes;
      total.elapsedMs += r.elapsedMs;
    }
    return total;
  })();
}

/** Polls PostgreSQL's connection count until aborted; returns the highest seen. */
export function peakConnections(cfg: LabConfig, stop: AbortSignal): Promise<{ peak: number; samples: number }> {
  return (async () => {
    let peak = 0;
    let samples = 0;
    while (!stop.aborted) {
      const rows = await pgQuery<{ n: string }>(cfg, 'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [
        cfg.pg.database,
      ]).catch(() => null);
      if (rows) {
        peak = Math.max(peak, Number(rows[0]!.n));
        samples += 1;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return { peak, samples };
  })();
}

/** Every schema problem in a run's evidence folder (empty = every file with a schema validates). */
export const evidenceProblems = folderProblems;

/** The run's events, every line through the event schema (scripts/lib/run-evidence). */
export const events = (dir: string): RolloutEvent[] => readEvents(dir).values;

/** `poolgate evidence verify <dir>` against the lab's allowed signers: every file matches the signed manifest. */
export async function evidenceVerifies(
  dir: string,
  allowed: string = labConfig().evidenceSigning.allowedSigners,
): Promise<boolean> {
  try {
    await exec(
      process.execPath,
      [path.join(packageRoot, 'bin', 'poolgate.js'), 'evidence', 'verify', dir, '--allowed-signers', allowed],
      { cwd: packageRoot },
    );
    return true;
  } catch {
    return false;
  }
}

/** An HTTP status, the body read and dropped (`headers` e.g. a bearer token). */
export async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  return res.status;
}

/** Every file under dir whose bytes contain text (a secret that must be in none of a run's evidence). */
export function filesContaining(dir: string, text: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => fs.readFileSync(f).includes(text));
}
