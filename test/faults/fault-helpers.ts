import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { labConfig, type LabConfig } from '../../lab/lab-config';
import { packageRoot } from '../../scripts/lib/paths';
import type { RolloutEvent } from '../../scripts/lib/run-evidence';
import { assertLbReady, assertWritesExactlyOnce, type TrafficResult } from '../helpers/lab';
import {
  configHashes,
  events,
  evidenceDirOf,
  labctl,
  peakConnections,
  pids,
  type PlaybookRun,
  readPools,
  trafficUntil,
} from '../e2e/rollout-helpers';

/**
 * What the fault suite shares on top of the e2e rollout helpers: the facts a fault case asserts (traffic and
 * PostgreSQL's connection count watched for the whole case, every host read back, nothing touched by a refusal),
 * and how to wait for a point in a run (an event in its events.jsonl) to inject the fault there.
 */
const exec = promisify(execFile);

/** PostgreSQL connection budgets: the fleet at the old pools (refused runs) or at the new ones plus one draining. */
export const BUDGET_OLD = 4 * 50 + 20;
export const BUDGET_CHANGE = 4 * 200 + 50 + 20;

export interface Watched {
  sent: TrafficResult;
  db: { peak: number; samples: number };
}

/** Steady reads and writes through HAProxy and a poll of pg_stat_activity, from now until the returned stop(). */
export function watch(lab: LabConfig): () => Promise<Watched> {
  const stop = new AbortController();
  const traffic = trafficUntil(lab.haproxy.url, stop.signal);
  const connections = peakConnections(lab, stop.signal);
  return async () => {
    stop.abort();
    const [sent, db] = await Promise.all([traffic, connections]);
    return { sent, db };
  };
}

/**
 * Traffic facts every case asserts: it flowed, at most `maxFailed` failed (0 on a zero-downtime path), every
 * acknowledged write in the database exactly once and no write doubled.
 */
export async function assertTraffic(
  t: Test,
  lab: LabConfig,
  w: Watched,
  budget: number,
  maxFailed = 0,
  why = 'the path is zero-downtime',
): Promise<void> {
  t.ok(w.sent.ok > 20, `traffic flowed throughout (${w.sent.ok} ok, ${w.sent.failed} failed)`);
  t.ok(w.sent.failed <= maxFailed, `${w.sent.failed} failed requests ≤ ${maxFailed}: ${why}`, {
    failures: w.sent.failures.slice(0, 5),
  });
  await assertWritesExactlyOnce(t, lab, w.sent);
  t.ok(
    w.db.samples > 3 && w.db.peak <= budget,
    `PostgreSQL connections peaked at ${w.db.peak} ≤ budget ${budget} (${w.db.samples} samples)`,
  );
}

/** Every instance read back at max/min. */
export async function assertPools(t: Test, lab: LabConfig, max: number, min: number, why: string): Promise<void> {
  for (const [name, p] of await readPools(lab))
    t.same([p.pool.max, p.pool.min], [max, min], `${name} runs max ${max} / min ${min} (read back): ${why}`);
}

export const backupsOf = (lab: LabConfig): string[] =>
  lab.instances.flatMap((i) => fs.readdirSync(path.dirname(i.configPath)).filter((f) => f.includes('.bak-')));

export interface Untouched {
  hashes: Record<string, string>;
  pids: Record<string, string>;
  generations: number[];
}

/** What a refusal must leave as it was: every config byte, every process, every pool generation, no backup. */
export async function fleetState(lab: LabConfig): Promise<Untouched> {
  return {
    hashes: configHashes(lab),
    pids: await pids(lab),
    generations: [...(await readPools(lab)).values()].map((p) => p.generation),
  };
}

export async function assertUntouched(t: Test, lab: LabConfig, before: Untouched): Promise<void> {
  const now = await fleetState(lab);
  t.same(now.hashes, before.hashes, 'every config file is byte-identical');
  t.same(now.pids, before.pids, 'no instance restarted (same pids)');
  t.same(now.generations, before.generations, 'no instance reloaded (same pool generations)');
  t.same(backupsOf(lab), [], 'no backup was taken');
}

/** The evidence of a run that ended: sealed, the manifest verifies, and (if rolled back) the incident and log exist. */
export async function assertEvidence(t: Test, runId: string, rolledBack: boolean): Promise<void> {
  const dir = evidenceDirOf(runId);
  t.ok(fs.existsSync(path.join(dir, 'manifest.sha256')), 'the evidence is sealed (manifest.sha256)');
  const allowed = labConfig().evidenceSigning.allowedSigners;
  const verify = await poolgate(['evidence', 'verify', dir, '--allowed-signers', allowed]);
  t.equal(verify.code, 0, "poolgate evidence verify passes on the run folder, signed by the lab's key", {
    out: verify.stdout + verify.stderr,
  });
  if (!rolledBack) return;
  const incidents = fs.existsSync(path.join(dir, 'incidents')) ? fs.readdirSync(path.join(dir, 'incidents')) : [];
  t.ok(
    incidents.some((f) => /_pool_scaling_incident\.md$/.test(f)),
    'the incident is written',
  );
  t.ok(fs.existsSync(path.join(dir, 'rollback_log.txt')), 'rollback_log.txt is written');
  t.ok(
    events(dir).some((e) => e.action === 'rollback_verified'),
    'the rollback read back every instance (rollback_verified)',
  );
}

/**
 * A manual rollback (rollback.yml of the run `runId`) as every case that ends with one asserts it: exit 0, every
 * HAProxy server UP and READY, every instance at min 10 / max 50 read back, its own sealed evidence with the incident
 * and a rollback_log.txt naming the run, and exactly the hosts `restored` restored. Returns the rollback's events.
 */
export async function assertManualRollback(
  t: Test,
  lab: LabConfig,
  rb: PlaybookRun,
  runId: string,
  restored: string[],
): Promise<RolloutEvent[]> {
  t.equal(rb.code, 0, 'rollback.yml restores from the recorded state', { out: tail(rb) });
  await assertLbReady(t, lab, 'after rollback.yml');
  await assertPools(t, lab, 50, 10, 'rolled back by rollback.yml');
  const dir = /evidence: ([^\s']+)/.exec(rb.stdout)?.[1];
  t.ok(dir && fs.existsSync(dir), `the rollback has its own evidence folder (${dir})`);
  if (!dir || !fs.existsSync(dir)) return [];
  await assertEvidence(t, path.basename(dir), true);
  t.match(
    fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'),
    new RegExp(`manual rollback of ${runId}: `),
    'rollback_log.txt names the run it rolled back',
  );
  const ev = events(dir);
  t.same(
    (ev.find((e) => e.action === 'rollback_verified')?.restored as string[] | undefined)?.slice().sort(),
    [...restored].sort(),
    `it restored exactly ${restored.join(', ')}`,
  );
  return ev;
}

export async function poolgate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [path.join(packageRoot, 'bin', 'poolgate.js'), ...args], {
      cwd: packageRoot,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The last lines of a playbook's output, for a failing assertion's diagnostics. */
export const tail = (run: PlaybookRun): string => (run.stdout + run.stderr).slice(-4000);

/** Seconds between the rollback's first event and its rollback_verified, from events.jsonl. */
export function rollbackSeconds(runId: string): number | undefined {
  const ev = events(evidenceDirOf(runId));
  const start = ev.find((e) => e.action === 'rollback_started');
  const end = ev.find((e) => e.action === 'rollback_verified');
  if (!start || !end) return undefined;
  return (Date.parse(String(end.at)) - Date.parse(String(start.at))) / 1000;
}

/** Sends a signal to a lab instance's process (its pid from labctl, as an operator would find it). */
export async function signal(instance: string, sig: NodeJS.Signals): Promise<number> {
  const pid = Number(await labctl('pid', instance));
  if (!(pid > 0)) throw new Error(`labctl pid ${instance} gave no pid`);
  process.kill(pid, sig);
  return pid;
}

export { exec };

/** The playbook's output as one line: Ansible's YAML callback folds long messages and doubles single quotes. */
export const said = (run: PlaybookRun): string => run.stdout.replace(/\s+/g, ' ').replace(/''/g, "'");
