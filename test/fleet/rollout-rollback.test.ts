import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { events, evidenceDirOf, evidenceOf, monitorSampled, runOutcome } from '../e2e/rollout-helpers';
import { useFleet } from '../helpers/fleet';
import {
  fleetAppQuery,
  fleetRunVars,
  fleetRunWithFault,
  lbServers,
  p0File,
  readFleetPools,
  restoreFleetBaseline,
} from '../helpers/fleet-rollout';
import { assertWritesExactlyOnce } from '../helpers/lab';

// A fleet rollout and its rollback take minutes on a shared 2-core machine.
t.setTimeout(1_800_000);

// An automatic rollback fired on the fleet: every app host changed, then a P0 opens while the monitor watches
// (the slot's P0 file on the bastion). The rollback must restore all four hosts by the zero-downtime path (the
// primaries drained, restored, enabled) and leave HAProxy as it found it: every server UP and READY, read on lb-1's
// own admin socket after the run, with nothing reset before the assertion.
void t.test('a rollback fired on the fleet restores every host and leaves every server UP and READY', async (t) => {
  const fleet = await useFleet(t);
  await restoreFleetBaseline(fleet);
  t.teardown(() => restoreFleetBaseline(fleet));

  const runId = `fleet-rollback-${Date.now()}`;
  const dir = evidenceDirOf(runId);
  const {
    run,
    fault: opened,
    sent,
  } = await fleetRunWithFault(
    fleet,
    fleetRunVars(fleet, runId),
    (signal) => monitorSampled(runId, 2, signal),
    () => {
      fs.writeFileSync(p0File(fleet), 'fleet e2e: P0 opened during monitoring\n');
      return Promise.resolve(true);
    },
  );

  // Asserted first, before anything (the teardown's baseline restore included) touches HAProxy or the hosts.
  t.same(
    (await lbServers(fleet)).map((s) => [s.server, s.status, s.ready ? 'READY' : 'not ready']).sort(),
    ['primary-1', 'primary-2', 'standby-1', 'standby-2'].map((n) => [n, 'UP', 'READY']),
    "every server UP and READY after the rollback, read on lb-1's own admin socket",
  );
  t.ok(
    events(dir).some((e) => e.host === 'primary-2' && e.action === 'verified'),
    'every host had changed before the P0 opened',
  );
  t.ok(opened, `the P0 opened while the monitor watched${opened ? '' : ` (${runOutcome(run)})`}`);
  t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-3000) });
  t.match(runOutcome(run), /^ROLLED BACK: .*P0/, 'it says it rolled back on the P0');
  for (const [name, p] of await readFleetPools(fleet))
    t.same([p?.pool.max, p?.pool.min], [50, 10], `${name} runs max 50 / min 10 again (read back)`);
  const restored = events(dir).find((e) => e.action === 'rollback_verified') as { restored?: string[] } | undefined;
  t.same(
    [...(restored?.restored ?? [])].sort(),
    ['primary-1', 'primary-2', 'standby-1', 'standby-2'],
    'the rollback restored all four from their backups',
  );
  t.equal(sent.failed, 0, 'zero failed requests through HAProxy', { failures: sent.failures.slice(0, 5) });
  t.ok(sent.ok > 100, `traffic flowed throughout (${sent.ok} ok)`);
  await assertWritesExactlyOnce(t, fleetAppQuery(fleet), sent);
  const incidents = fs.readdirSync(path.join(dir, 'incidents'));
  t.match(
    incidents.map((f) => fs.readFileSync(path.join(dir, 'incidents', f), 'utf8')).join('\n'),
    /p0_incident/,
    'the incident names the trigger',
  );
  t.ok(fs.existsSync(path.join(dir, 'manifest.sha256')), 'the evidence is sealed');

  // The runbook's rollback steps after the read-back, on real hosts: the watch judged the fleet's return to the
  // run's own baseline (sampled over SSH and HAProxy like the monitor), and the rollback's time was judged.
  const watch = evidenceOf<{ verdict: string; message: string; baseline: { file: string } }>(dir, 'rollback_watch');
  t.equal(watch.verdict, 'PASS', `the fleet returned to its baseline: ${watch.message}`);
  t.match(watch.baseline.file, /^pre_change_snapshot_\d{8}T\d{6}Z\.json$/, "judged against the run's own baseline");
  const report = evidenceOf<{
    decision: string;
    rollback: {
      outcome: string;
      timing: { verdict: string; seconds: number; max_s: number };
      watch: { verdict: string };
    };
  }>(dir, 'report');
  t.equal(report.decision, 'ROLLBACK');
  t.match(report.rollback, {
    outcome: 'VERIFIED',
    timing: { verdict: 'PASS', max_s: 600 },
    watch: { verdict: 'PASS' },
  });
  t.ok(
    report.rollback.timing.seconds > 0 && report.rollback.timing.seconds < 600,
    `the rollback took ${report.rollback.timing.seconds} s, within the runbook's 10 minutes`,
  );
});
