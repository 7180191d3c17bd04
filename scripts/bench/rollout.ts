import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { RUNBOOK_BASELINE_POOL, type LabConfig } from '../../lab/lab-config';
import { SHORT_LOADTEST_S, SHORT_MONITOR_S, shortRunVars, type MonitorSources } from '../../lab/short-run';
import { setServerState } from '../lib/haproxy-socket';
import { readInForce } from '../lib/in-force';
import { defaultEvidenceRoot, packageRoot } from '../lib/paths';
import { readEvents as readRunEvents, readEvidence } from '../lib/run-evidence';
import type { LoadtestResult } from '../types/loadtest-result';
import type { MonitorResult } from '../types/monitor-result';
import type { Plan } from '../types/plan';
import {
  rollbackTiming,
  rolloutTiming,
  type RollbackTiming,
  type RolloutEvent,
  type RolloutTiming,
  type Span,
} from './rollout-phases';

/**
 * Issue 7 item 7, the I/O part: the lab rollout (pool-scaling.yml, lab-sized durations as the e2e tests use them)
 * by SIGHUP, by restart, and one automatic rollback (primary-1 stopped once both primaries are drained, as
 * test/e2e/rollout-rollback.test.ts does), each under light traffic through HAProxy (the report needs measured
 * traffic), each from the runbook baseline. Ansible's profile_tasks callback names the slowest tasks.
 */
const exec = promisify(execFile);
/**
 * Where a bench rollout runs: the loopback lab, or the fleet (the production path over SSH). Everything the run
 * needs from it: its inventory and environment, its load balancer, its primaries, the sources its monitor reads, and
 * how to put it back at the runbook's baseline.
 */
export interface RolloutTarget {
  label: string;
  inventory: string;
  env: Record<string, string>;
  lbUrl: string;
  primaries: string[];
  sources: MonitorSources;
  restoreBaseline(): Promise<void>;
  /** the rollback run's fault (the lab's only): stop this primary once both primaries are drained */
  stopPrimary?(name: string): Promise<void>;
}

/**
 * The bench's run: lab-sized durations as the e2e tests use them, the target's DB CPU and P0 sources. Each round
 * starts from the restored baseline: it makes again, on purpose, the change the rollback round undid, and prepares no
 * revert branch in the checkout the bench runs from; the rollback's watch is shorter still.
 */
function shortRun(target: RolloutTarget, runId: string, method: 'sighup' | 'restart'): Record<string, unknown> {
  return {
    pool_scaling_run_id: runId,
    pool_scaling_apply_method: method,
    ...shortRunVars(target.sources),
    pool_scaling_retry_reason: 'bench: every round starts from the restored baseline',
    pool_scaling_prepare_revert: false,
    pool_scaling_rollback: { max_s: 600, watch: { duration_s: 6, interval_s: 1, settle_s: 2 } },
  };
}

const labctl = async (...args: string[]): Promise<string> =>
  (
    await exec(path.join(packageRoot, 'lab', 'bin', 'labctl'), args, { cwd: packageRoot, timeout: 60_000 })
  ).stdout.trim();

/** The sha256 of the pool config each instance runs (null: no answer the contract allows). */
async function poolShas(instances: ReadonlyArray<{ name: string; url: string }>): Promise<(string | null)[]> {
  return (await readInForce(instances)).map((r) => r.config?.sha256 ?? null);
}

/** The runbook baseline on every instance, every server ready at HAProxy, a fresh backup for the backup gate. */
async function restoreBaseline(lab: LabConfig): Promise<void> {
  const text = `${JSON.stringify(RUNBOOK_BASELINE_POOL, null, 2)}\n`;
  const sha = crypto.createHash('sha256').update(text).digest('hex');
  for (const i of lab.instances) {
    if (!fs.existsSync(i.configPath) || fs.readFileSync(i.configPath, 'utf8') !== text)
      fs.writeFileSync(i.configPath, text);
    const dir = path.dirname(i.configPath);
    for (const f of fs.readdirSync(dir))
      if (f.startsWith(`${path.basename(i.configPath)}.bak-`)) fs.rmSync(path.join(dir, f));
    if (!/RUNNING/.test(await labctl('status', i.name).catch(() => ''))) await labctl('start', i.name);
    if ((await poolShas([i]))[0] !== sha) await labctl('hup', i.name);
    await setServerState(lab.haproxy.socket, lab.haproxy.backend, i.name, 'ready');
  }
  const until = Date.now() + 60_000;
  for (;;) {
    const shas = await poolShas(lab.instances);
    if (shas.every((s) => s === sha)) break;
    if (Date.now() > until) throw new Error('the baseline is not in force on every instance after 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  await exec('bash', [path.join(packageRoot, 'scripts', 'lab-backup.sh'), 'take'], {
    cwd: packageRoot,
    timeout: 120_000,
  });
}

/** Light reads through HAProxy (about 20/s) until stopped, bounded to 30 minutes. */
export function traffic(url: string, stop: AbortSignal): Promise<{ ok: number; failed: number }> {
  return (async () => {
    const n = { ok: 0, failed: 0 };
    const until = Date.now() + 30 * 60_000;
    while (!stop.aborted && Date.now() < until) {
      try {
        const res = await request(`${url}/api/accounts`, { headersTimeout: 5000, bodyTimeout: 5000 });
        await res.body.dump();
        if (res.statusCode < 400) n.ok++;
        else n.failed++;
      } catch {
        n.failed++;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return n;
  })();
}

interface PlaybookRun {
  code: number;
  startedAt: string;
  endedAt: string;
  slowest: Array<{ task: string; seconds: number }>;
}

function runPlaybook(target: RolloutTarget, vars: Record<string, unknown>, log: string): Promise<PlaybookRun> {
  return new Promise((resolve, reject) => {
    const out = fs.openSync(log, 'w');
    const startedAt = new Date().toISOString();
    const child = spawn(
      'ansible-playbook',
      ['-i', target.inventory, 'playbooks/pool-scaling.yml', '-e', JSON.stringify(vars)],
      {
        cwd: packageRoot,
        env: {
          ...process.env,
          ...target.env,
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_CALLBACKS_ENABLED: 'ansible.posix.profile_tasks',
          PROFILE_TASKS_TASK_OUTPUT_LIMIT: '15',
        },
        stdio: ['ignore', out, out],
        timeout: 30 * 60_000,
      },
    );
    child.on('error', reject);
    child.on('close', (code) => {
      fs.closeSync(out);
      resolve({
        code: code ?? -1,
        startedAt,
        endedAt: new Date().toISOString(),
        slowest: slowestTasks(fs.readFileSync(log, 'utf8')),
      });
    });
  });
}

/** profile_tasks' closing list: "role : task name ----- 12.34s". */
export function slowestTasks(stdout: string): Array<{ task: string; seconds: number }> {
  const recap = stdout.slice(stdout.lastIndexOf('PLAY RECAP'));
  return [...recap.matchAll(/^(.+?)\s-{3,}\s+(\d+\.\d+)s\s*$/gm)].map((m) => ({
    task: m[1]!.trim(),
    seconds: Number(m[2]),
  }));
}

const readEvents = (dir: string): RolloutEvent[] => readRunEvents(dir).values;

/** When the run's load test and its monitoring ran, from their evidence. */
function spans(dir: string): { loadtest?: Span; monitor?: Span } {
  const lt = readEvidence<LoadtestResult>(dir, 'loadtest');
  const m = readEvidence<MonitorResult>(dir, 'monitor');
  return {
    ...(lt.status === 'used' ? { loadtest: { started_at: lt.value.started_at, ended_at: lt.value.finished_at } } : {}),
    ...(m.status === 'used' ? { monitor: { started_at: m.value.started_at, ended_at: m.value.ended_at } } : {}),
  };
}

export interface RolloutBench {
  run_id: string;
  code: number;
  traffic: { ok: number; failed: number };
  timing?: RolloutTiming;
  rollback?: RollbackTiming;
  error?: string;
  slowest_tasks: Array<{ task: string; seconds: number }>;
  log: string;
}

/** A command's default sample window: its config schema's `window_s` default, the value ajv fills in. */
function schemaDefaultWindow(schema: 'preflight-config' | 'verify-config'): number {
  const file = path.join(packageRoot, 'schemas', `${schema}.schema.json`);
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { properties?: { window_s?: { default?: number } } };
  const value = parsed.properties?.window_s?.default;
  if (typeof value !== 'number') throw new Error(`${file} gives window_s no default`);
  return value;
}

export async function oneRun(
  target: RolloutTarget,
  kind: 'sighup' | 'restart' | 'rollback',
  logDir: string,
): Promise<RolloutBench> {
  await target.restoreBaseline();
  const runId = `bench-${kind}-${Date.now()}`;
  const dir = path.join(defaultEvidenceRoot(), runId);
  const stop = new AbortController();
  const flowing = traffic(target.lbUrl, stop.signal);
  let triggerAt: string | null = null;
  const fault =
    kind === 'rollback'
      ? (async () => {
          const until = Date.now() + 20 * 60_000;
          while (Date.now() < until) {
            const drained =
              readEvents(dir).some((e) => e.host === 'primary-2' && e.action === 'lb_drain');
            if (drained) {
              triggerAt = new Date().toISOString();
              await target.stopPrimary!('primary-1');
              return;
            }
            await new Promise((r) => setTimeout(r, 100));
          }
        })()
      : Promise.resolve();
  if (kind === 'rollback' && !target.stopPrimary) throw new Error(`${target.label}: no fault to inject for a rollback`);
  const log = path.join(logDir, `rollout-${kind}.log`);
  let run: PlaybookRun;
  try {
    run = await runPlaybook(target, shortRun(target, runId, kind === 'restart' ? 'restart' : 'sighup'), log);
  } finally {
    stop.abort();
  }
  await fault;
  const result: RolloutBench = {
    run_id: runId,
    code: run.code,
    traffic: await flowing,
    slowest_tasks: run.slowest,
    log,
  };
  try {
    const events = readEvents(dir);
    if (kind === 'rollback') {
      if (!triggerAt) throw new Error('the fault was never injected (both primaries never drained)');
      result.rollback = rollbackTiming(events, triggerAt, run.endedAt);
    } else {
      const primaries = new Set(target.primaries);
      // The sample windows as the run's own plan has them (the lab inventory sets them; the bench does not), else
      // the default the command applies from its config schema (inventory/fleet and production leave them out).
      const read = readEvidence<Plan>(dir, 'plan');
      if (read.status !== 'used') throw new Error(`the run's plan: ${read.status === 'missing' ? 'missing' : read.detail}`);
      const plan = read.value;
      const configured = {
        loadtest_s: SHORT_LOADTEST_S,
        monitor_s: SHORT_MONITOR_S,
        preflight_window_s: plan.preflight?.window_s ?? schemaDefaultWindow('preflight-config'),
        verify_window_s: plan.verify?.window_s ?? schemaDefaultWindow('verify-config'),
      };
      result.timing = rolloutTiming(
        events,
        spans(dir),
        configured,
        (h) => primaries.has(h),
        { started_at: run.startedAt, ended_at: run.endedAt },
      );
    }
  } catch (err) {
    result.error = (err as Error).message;
  }
  return result;
}

/** SIGHUP, restart, rollback, one after the other on the lab of this slot; the lab is left at the baseline. */
/** The loopback lab as a bench target (the rollback's fault: labctl stops the primary). */
export function labTarget(lab: LabConfig): RolloutTarget {
  return {
    label: `lab slot ${lab.slot}`,
    inventory: 'inventory/lab',
    env: { POOLGATE_LAB_SLOT: String(lab.slot) },
    lbUrl: lab.haproxy.url,
    primaries: lab.instances.filter((i) => i.role === 'primary').map((i) => i.name),
    sources: {
      scenario: lab.service.scenario,
      db_cpu: { host: 'lab-db', pid_file: path.join(lab.pg.dataDir, 'postmaster.pid') },
      p0: { file: path.join(lab.stateDir, 'P0') },
    },
    restoreBaseline: () => restoreBaseline(lab),
    stopPrimary: async (name) => void (await labctl('stop', name)),
  };
}

/** The given kinds of rollout, one after the other on the target; the target is left at the baseline. */
export async function benchRollouts<K extends 'sighup' | 'restart' | 'rollback'>(
  target: RolloutTarget,
  kinds: readonly K[],
  logDir: string,
  say: (line: string) => void,
): Promise<Record<K, RolloutBench>> {
  fs.mkdirSync(logDir, { recursive: true });
  const out: Partial<Record<K, RolloutBench>> = {};
  try {
    for (const kind of kinds) {
      say(`rollout: ${kind} on ${target.label} (ansible output: ${path.join(logDir, `rollout-${kind}.log`)})`);
      out[kind] = await oneRun(target, kind, logDir);
      const r = out[kind]!;
      say(
        `  exit ${r.code}, ${r.timing ? `${r.timing.excluding_all_configured_s}s excluding every configured duration, ${r.timing.excluding_configured_s}s excluding load test and monitor only` : r.rollback ? `trigger to rollback verified ${r.rollback.trigger_to_verified_s}s` : r.error}`,
      );
    }
  } finally {
    await target.restoreBaseline();
  }
  return out as Record<K, RolloutBench>;
}
