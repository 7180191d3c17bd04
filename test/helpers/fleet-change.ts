import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import {
  assertRunSucceeded,
  events,
  evidenceDirOf,
  evidenceOf,
  evidenceProblems,
  evidenceVerifies,
  filesContaining,
  trafficUntil,
} from '../e2e/rollout-helpers';
import type { FleetHandle } from './fleet';
import {
  appHosts,
  assertFleetLbReady,
  fleetAppQuery,
  fleetPids,
  fleetRunVars,
  dbSessionsByInstance,
  peakDbSessions,
  readFleetPools,
  restoreFleetBaseline,
  runFleetPlaybook,
} from './fleet-rollout';
import { assertWritesExactlyOnce, type TrafficResult, type WriteTable } from './lab';
import { sshAgentHolding } from './ssh-agent';
import { evidenceFile } from '../../scripts/lib/run-evidence';
import type { Item } from '../../scripts/types/evidence-common';

type SentTraffic = Pick<TrafficResult, 'ok' | 'failed' | 'acknowledged' | 'writesSent'> & { failures: unknown[] };

export interface FleetChangeOptions {
  /** the independent client's traffic (the reference service's reads and journal entries by default) */
  traffic?: (url: string, stop: AbortSignal) => Promise<SentTraffic>;
  /** where its writes land (the ledger's journal entries by default) */
  writes?: WriteTable;
}

/**
 * The whole change on the fleet (inventory/fleet: production's shape over SSH, nothing of poolgate on any host) by
 * one apply method, under an independent client sending reads and writes through the fleet's HAProxy: zero failed
 * requests, every acknowledged write in db-1 exactly once, every app host read back at max 200 / min 20, and the
 * evidence showing each gate input measured where production has it — DB CPU on db-1 over SSH, each unit's journal
 * on its host, the replica's lag on db-2.
 */
export async function changeOnFleet(
  t: Test,
  fleet: FleetHandle,
  method: 'sighup' | 'restart',
  opts: FleetChangeOptions = {},
): Promise<string> {
  await restoreFleetBaseline(fleet);
  t.teardown(() => restoreFleetBaseline(fleet));
  const pidsBefore = await fleetPids(fleet);

  // One method signs as production's default does: the inventory names the key's public half, the private half is
  // only in the operator's ssh-agent (the other signs with the key file, as the fleet's inventory has it).
  const agent = method === 'sighup' ? await sshAgentHolding(t, fleet.evidenceSigning.key) : undefined;
  const signing = agent
    ? {
        pool_scaling_evidence_signing: {
          key: agent.publicKey,
          allowed_signers: fleet.evidenceSigning.allowedSigners,
        },
      }
    : {};

  const stop = new AbortController();
  const traffic = (opts.traffic ?? trafficUntil)(fleet.haproxy.url, stop.signal);
  const sessions = peakDbSessions(fleet, stop.signal);
  const runId = `fleet-${method}-${Date.now()}`;
  const run = await runFleetPlaybook(
    fleet,
    'pool-scaling.yml',
    fleetRunVars(fleet, runId, { pool_scaling_apply_method: method, ...signing }),
    [],
    agent ? { SSH_AUTH_SOCK: agent.sock } : {},
  );
  stop.abort();
  const sent = await traffic;
  const peak = await sessions;

  assertRunSucceeded(t, run, `the playbook succeeds (${method})`);
  t.ok(sent.ok > 100, `traffic flowed through the fleet's HAProxy during the change (${sent.ok} ok)`);
  t.equal(sent.failed, 0, 'zero failed requests', { failures: sent.failures.slice(0, 5) });
  await assertWritesExactlyOnce(t, fleetAppQuery(fleet), sent, opts.writes);

  for (const [name, p] of await readFleetPools(fleet))
    t.same([p?.pool.max, p?.pool.min], [200, 20], `${name} runs max 200 / min 20 (read back)`);
  const pidsAfter = await fleetPids(fleet);
  if (method === 'sighup') t.same(pidsAfter, pidsBefore, 'systemctl reload: no instance restarted');
  else for (const n of appHosts(fleet)) t.not(pidsAfter[n], pidsBefore[n], `${n} was restarted`);
  await assertFleetLbReady(t, fleet, 'after the change');

  // What the database saw: never more than the overlap the capacity gate counts (the old pool's max while it drains
  // plus the new one's), and afterwards each instance holding the new min of warm connections.
  t.ok(peak.samples > 20, `db-1's sessions polled throughout the change (${peak.samples} samples)`);
  t.same(
    appHosts(fleet).filter((n) => !((peak.byInstance[n] ?? 0) > 0 && peak.byInstance[n]! <= 50 + 200)),
    [],
    `each instance's sessions on db-1 stayed within old max + new max, 250 (peaks ${JSON.stringify(peak.byInstance)})`,
  );
  t.ok(
    peak.total <= fleet.pg.maxConnections,
    `the fleet's sessions on db-1 peaked at ${peak.total}, within max_connections ${fleet.pg.maxConnections}`,
  );
  const held = await dbSessionsByInstance(fleet);
  t.same(
    appHosts(fleet).filter((n) => !((held[n] ?? 0) >= 20 && held[n]! <= 200)),
    [],
    `after the change each instance holds between min 20 and max 200 sessions on db-1 (${JSON.stringify(held)})`,
  );

  const dir = evidenceDirOf(runId);
  t.same(evidenceProblems(dir), [], 'every evidence file validates against its schema');
  t.ok(
    await evidenceVerifies(dir, fleet.evidenceSigning.allowedSigners),
    `the manifest verifies, signed by the fleet's operator key${agent ? ' held in ssh-agent' : ''}`,
  );
  const verified = events(dir)
    .filter((e) => e.action === 'verified')
    .map((e) => e.host);
  t.same([...verified].sort(), appHosts(fleet).sort(), 'each app host was read back after its change');

  const plan = evidenceOf<{ hosts: Record<string, { connection: string; become?: boolean }> }>(dir, 'plan');
  t.ok(
    Object.values(plan.hosts).every((h) => h.connection === 'ssh'),
    'the plan reaches every host over SSH (no local connection)',
  );
  t.notMatch(fs.readFileSync(path.join(dir, evidenceFile('plan')), 'utf8'), /password"/, 'the plan holds no password');
  const preflight = evidenceOf<{ items: Item[] }>(dir, 'preflight');
  const item = (id: string): Item | undefined => preflight.items.find((i) => i.id === id);
  t.match(item('source:db_cpu'), { verdict: 'PASS', measured: /on db-1/ }, 'DB CPU read on db-1 before the change');
  for (const n of appHosts(fleet))
    t.match(item(`source:log:${n}`), { verdict: 'PASS', measured: `journalctl -u ${fleet.app.unit}` }, `${n}: journal`);
  t.match(item('replicas_connected'), { verdict: 'PASS', measured: '1 of 1 connected' }, 'one replica streaming');
  t.match(item('backup_age'), { verdict: 'PASS', item: 'last backup (pgbackrest)' }, "pgBackRest's backup on db-1");
  t.ok(
    preflight.items.some((i) => i.id.startsWith('replica:') && i.verdict === 'PASS'),
    'its lag measured on the replica itself',
  );
  const verify = evidenceOf<{ logs: Array<{ name: string; path: string; error_lines?: number; error?: string }> }>(
    dir,
    'verify',
  );
  t.same(
    verify.logs.map((l) => [l.name, l.path, l.error ?? l.error_lines]),
    appHosts(fleet).map((n) => [n, `journalctl -u ${fleet.app.unit}`, 0]),
    "no new error in any unit's journal, read on its host",
  );
  const monitor = evidenceOf<{ summary: { db_cpu_pct: { measured_samples: number } } }>(dir, 'monitor');
  t.ok(monitor.summary.db_cpu_pct.measured_samples > 0, "the monitor measured db-1's CPU over SSH");

  // The vault's password reached every poolgate command (the database was probed) and nothing wrote it down.
  const password = fs.readFileSync(fleet.secrets.monitorPasswordFile, 'utf8').trim();
  t.ok(password.length >= 8, 'the fleet has a real monitoring password to look for');
  t.same(filesContaining(dir, password), [], 'the vault password is in no evidence file');
  t.notOk(run.stdout.includes(password) || run.stderr.includes(password), "nor in Ansible's output");
  return dir;
}
