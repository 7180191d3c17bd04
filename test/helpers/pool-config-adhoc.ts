import path from 'node:path';
import { RUNBOOK_BASELINE_POOL, type LabInstance } from '../../lab/lab-config';
import { packageRoot } from '../../scripts/lib/paths';
import { runProcess } from './poolgate-cli';

/**
 * poolgate.rollout.pool_config run ad hoc on one lab instance, the way the pool_config role runs it (the real file,
 * the real process under supervisord, the real validator): the integration test of the action and the token e2e.
 */
export type AdhocResult = Record<string, unknown> & { failed?: boolean; changed?: boolean; msg?: string };

export const ADHOC_TARGET = { ...RUNBOOK_BASELINE_POOL, min: 20, max: 200 };

/** `ansible <host> -m poolgate.rollout.pool_config -a <json>` with the json stdout callback; the host's result. */
export async function adhoc(
  host: string,
  args: Record<string, unknown>,
  flags: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; result: AdhocResult; raw: string }> {
  const r = await runProcess(
    'ansible',
    ['-i', 'inventory/lab', host, '-m', 'poolgate.rollout.pool_config', '-a', JSON.stringify(args), ...flags],
    120_000,
    { ...env, ANSIBLE_LOAD_CALLBACK_PLUGINS: '1', ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1' },
  );
  try {
    const out = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, AdhocResult> }> }> };
    return { code: r.code, result: out.plays[0]!.tasks[0]!.hosts[host]!, raw: r.stdout + r.stderr };
  } catch {
    throw new Error(`ansible printed no JSON result (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** The task's arguments as the role gives them, for a change of inst to ADHOC_TARGET by SIGHUP through labctl. */
export function adhocArgs(
  inst: LabInstance,
  evidenceDir: string,
  runId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    state: 'present',
    name: inst.name,
    run_id: runId,
    values: ADHOC_TARGET,
    path: inst.configPath,
    url: inst.url,
    method: 'sighup',
    service_manager: 'labctl',
    labctl: path.join(packageRoot, 'lab', 'bin', 'labctl'),
    labctl_name: inst.name,
    validate: `${process.execPath} ${path.join(packageRoot, 'bin', 'poolgate.js')} config check %s`,
    wait_s: 15,
    evidence_dir: evidenceDir,
    ...extra,
  };
}
