import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { unknown, type Item } from '../checklist';
import type { TokenRef } from '../target-auth';
import { countersItem, documents, endpointItem, plausibleItem, reloadItems, type ReloadObservation } from './items';
import { ENDPOINTS, readContract, readHealth, unreachable, type ContractReading } from './read';
import { shownVerdict } from '../verdict';

export interface ContractTarget extends TokenRef {
  name: string;
  url: string;
}

export interface CheckOptions {
  /** between the two reads (counters must not go backwards across it) */
  intervalMs: number;
  timeoutMs: number;
  /** a shell command that makes the target reload its pool config; `{name}` is replaced by the target's name */
  reloadCmd?: string;
  reloadTimeoutS: number;
}

export interface TargetCheck {
  name: string;
  url: string;
  reachable: boolean;
  items: Item[];
}

/**
 * One target against the contract: every endpoint read twice `intervalMs` apart (each answer judged; the
 * documents compared), then, with a reload command, the reload watched until a new generation is in force.
 */
export async function checkTarget(t: ContractTarget, opts: CheckOptions): Promise<TargetCheck> {
  const first = await readContract(t, opts.timeoutMs);
  if (unreachable(first)) {
    return {
      name: t.name,
      url: t.url,
      reachable: false,
      items: [unknown(`reach:${t.name}`, `reachable ${t.name}`, 'answers', first.health.error ?? 'no answer')],
    };
  }
  await sleep(opts.intervalMs);
  const second = await readContract(t, opts.timeoutMs);
  const tokenSent = Boolean(t.token_file || t.token_env);
  const items: Item[] = ENDPOINTS.map((e) => {
    const a = endpointItem(t.name, e, first[e], tokenSent);
    const b = endpointItem(t.name, e, second[e], tokenSent);
    return a.verdict === 'PASS' && b.verdict !== 'PASS' ? { ...b, detail: `second read: ${b.detail ?? ''}` } : a;
  });
  const d1 = documents(first);
  const d2 = documents(second);
  if (d1 && d2) items.push(countersItem(t.name, d1.m, d2.m), plausibleItem(t.name, d2.m, d2.pc));
  if (opts.reloadCmd && d2) items.push(...(await watchReload(t, opts, opts.reloadCmd, d2)));
  return { name: t.name, url: t.url, reachable: true, items };
}

async function watchReload(
  t: ContractTarget,
  opts: CheckOptions,
  cmd: string,
  before: NonNullable<ReturnType<typeof documents>>,
): Promise<Item[]> {
  const command = await runShell(cmd.replaceAll('{name}', t.name), t, opts.reloadTimeoutS * 1000);
  const obs: ReloadObservation = { command, before, after: undefined, timeoutS: opts.reloadTimeoutS, health: [] };
  if (command.code === 0) {
    const deadline = Date.now() + opts.reloadTimeoutS * 1000;
    for (;;) {
      const [reading, health] = await Promise.all([readContract(t, opts.timeoutMs), readHealth(t, opts.timeoutMs)]);
      obs.health.push(health.status);
      const d = documents(reading as ContractReading);
      if (d) obs.after = d;
      if (d && d.pc.generation > before.pc.generation && !d.pc.reloading) break;
      // A new reload error: the reload was refused, no new generation will come.
      if (d?.pc.last_reload_error && d.pc.last_reload_error.at !== before.pc.last_reload_error?.at) break;
      if (Date.now() > deadline) break;
      await sleep(100);
    }
  }
  return reloadItems(t.name, obs);
}

/** `sh -c cmd` with the target in its environment, bounded in time; stdout and stderr kept for the report. */
function runShell(cmd: string, t: ContractTarget, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', cmd], {
      env: { ...process.env, POOLGATE_TARGET_NAME: t.name, POOLGATE_TARGET_URL: t.url },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolve({ code: null, output: err.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Every target at once. */
export function checkTargets(targets: ContractTarget[], opts: CheckOptions): Promise<TargetCheck[]> {
  return Promise.all(targets.map((t) => checkTarget(t, opts)));
}

/** preflight's one checklist item per target: PASS, FAIL naming what failed, or COULD_NOT_MEASURE when unreachable. */
export function contractChecklistItem(c: TargetCheck): Item {
  const base = { id: `contract:${c.name}`, item: `service contract ${c.name}`, threshold: 'docs/service-contract.md' };
  if (!c.reachable)
    return {
      ...base,
      verdict: 'COULD_NOT_MEASURE',
      measured: shownVerdict('COULD_NOT_MEASURE'),
      value: null,
      detail: c.items[0]?.detail ?? 'no answer',
    };
  const failed = c.items.filter((i) => i.verdict === 'FAIL');
  if (failed.length === 0)
    return { ...base, verdict: 'PASS', measured: `${c.items.length} items conform`, value: null };
  return {
    ...base,
    verdict: 'FAIL',
    measured: `${failed.length} of ${c.items.length} items fail`,
    value: failed.length,
    detail: `${failed.map((i) => `${i.item}: ${i.detail ?? ''}`).join(' | ')} — run poolgate contract check --url ${c.url}`,
  };
}
