import t from 'tap';
import { evidenceDirOf, runOutcome } from '../e2e/rollout-helpers';
import { fleetQuery, useFleet } from '../helpers/fleet';
import {
  appHosts,
  assertFleetLbReady,
  fleetAppQuery,
  fleetRunVars,
  fleetRunWithFault,
  onceChanged,
  readFleetPools,
  restoreFleetBaseline,
  verifyItems,
} from '../helpers/fleet-rollout';
import { assertWritesExactlyOnce } from '../helpers/lab';

// Fleet rollouts take minutes on a shared 2-core machine; this one rolls back as well.
t.setTimeout(1_800_000);

/**
 * An error a service logs as a JSON line to stdout, which journald stores at info priority like any other line: on
 * production's unit, verify's "no new errors in the logs" must read it as the JSON it is (level error), on its host.
 * The error here is real: db-1 terminates primary-2's idle pooled sessions (the app role may end its own backends),
 * so its pool emits `error` and the agent logs `pool_error` (PostgreSQL's message, code 57P01). Little else notices:
 * the pool reconnects, every instance reads back right, and only a session taken from the pool at that instant fails
 * its request. The journal tells, and the run must roll back on it.
 */
void t.test(
  "an instance's pool errors mid-rollout, logged as JSON to its journal: verify reads it on the host, rolled back",
  async (t) => {
    const fleet = await useFleet(t);
    await restoreFleetBaseline(fleet);
    t.teardown(() => restoreFleetBaseline(fleet));
    const victim = 'primary-2';
    const runId = `fleet-log-error-${Date.now()}`;
    const dir = evidenceDirOf(runId);
    const {
      run,
      fault: terminated,
      sent,
    } = await fleetRunWithFault(fleet, fleetRunVars(fleet, runId), onceChanged(runId, 'standby-1'), async () => {
      const rows = await fleetQuery<{ n: string }>(
        fleet,
        'db-1',
        'app',
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'",
        [victim],
      );
      return Number(rows[0]?.n ?? 0);
    });

    t.ok(
      (terminated ?? 0) > 0,
      `db-1 terminated ${terminated ?? runOutcome(run)} of ${victim}'s idle sessions once standby-1 had changed`,
    );
    t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-4000) });
    t.match(run.stdout, /ROLLED BACK: .*error log lines primary-2/s, "rolled back on primary-2's error log lines");
    const items = verifyItems(dir);
    t.match(
      items.find((i) => i.id === `log:${victim}`),
      { verdict: 'FAIL', detail: /terminating connection due to administrator command [^|]*"code":"57P01"/ },
      `verify read ${victim}'s pool errors, JSON lines in its journal (PostgreSQL's 57P01)`,
    );
    t.same(
      items.filter((i) => i.id.startsWith('log:') && i.id !== `log:${victim}` && i.verdict !== 'PASS').map((i) => i.id),
      [],
      "the other units' journals hold no error",
    );
    const pools = await readFleetPools(fleet);
    for (const n of appHosts(fleet))
      t.same([pools.get(n)?.pool.max, pools.get(n)?.pool.min], [50, 10], `${n} runs max 50 / min 10 (read back)`);
    await assertFleetLbReady(t, fleet, 'after the rollback');
    // Only idle sessions were ended, but one handed out at that instant, before primary-2's pool has read its
    // termination, fails its request: each client's request in flight, and at most its next one.
    t.ok(
      sent.failed <= 4,
      `at most 4 failed requests (${sent.failed}: ${sent.failures
        .slice(0, 4)
        .map((x) => `${x.method} ${x.path} ${x.status ?? x.error}`)
        .join('; ')})`,
    );
    t.ok(sent.ok > 100, `traffic flowed (${sent.ok} ok)`);
    await assertWritesExactlyOnce(t, fleetAppQuery(fleet), sent);
  },
);
