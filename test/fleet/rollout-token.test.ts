import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertRunSucceeded,
  evidenceDirOf,
  filesContaining,
  statusOf,
  trafficUntil,
  waitFor,
} from '../e2e/rollout-helpers';
import { sshOn, useFleet, type FleetHandle } from '../helpers/fleet';
import {
  appHosts,
  assertFleetLbReady,
  fleetAppQuery,
  fleetRunVars,
  lbServers,
  restoreFleetBaseline,
  runFleetPlaybook,
} from '../helpers/fleet-rollout';
import { assertWritesExactlyOnce } from '../helpers/lab';

// A fleet rollout takes minutes on a shared 2-core machine, and the units restart twice around it.
t.setTimeout(1_800_000);

const TOKEN_PATH = '/etc/ledger/service_token';
const DROP_IN = '/etc/systemd/system/ledger.service.d/token.conf';

/** Every app unit restarted (its token setting changed), then every server UP at lb-1 again. */
async function restartUnits(fleet: FleetHandle): Promise<void> {
  for (const n of appHosts(fleet)) {
    const r = await sshOn(fleet, n, `sudo -n systemctl daemon-reload && sudo -n systemctl restart ${fleet.app.unit}`);
    if (r.code !== 0) throw new Error(`${n}: restart failed: ${r.stderr}`);
  }
  await waitFor(
    async () => (await lbServers(fleet)).every((s) => s.status === 'UP'),
    120_000,
    'every server UP at lb-1',
  );
}

/**
 * Units whose contract endpoints require `Authorization: Bearer <token>` (a drop-in names a file only the service's
 * account reads), the bastion holding the same token in a file the inventory names (pool_instance_token_file): the
 * change completes by SIGHUP under traffic, the pool_config module taking the token over SSH to each host and reading
 * the instance there. The token shows in no evidence file, not in Ansible's -v output, and in no host's journal
 * (Ansible logs each module's arguments on the managed host; the token is no_log).
 */
void t.test('pool change on token-protected units: the token crosses SSH and shows nowhere', async (t) => {
  const fleet = await useFleet(t);
  await restoreFleetBaseline(fleet);
  const token = crypto.randomBytes(24).toString('base64url');
  const bastionToken = path.join(t.testdir({}), 'service_token');
  fs.writeFileSync(bastionToken, `${token}\n`, { mode: 0o600 });
  t.teardown(async () => {
    for (const n of appHosts(fleet)) await sshOn(fleet, n, `sudo -n rm -f ${DROP_IN} ${TOKEN_PATH}`);
    await restartUnits(fleet);
    await restoreFleetBaseline(fleet);
  });
  for (const n of appHosts(fleet)) {
    const put = await sshOn(
      fleet,
      n,
      `sudo -n tee ${TOKEN_PATH} >/dev/null && sudo -n chown ${fleet.app.user}: ${TOKEN_PATH} && sudo -n chmod 0400 ${TOKEN_PATH}` +
        ` && sudo -n mkdir -p ${path.dirname(DROP_IN)}` +
        ` && printf '[Service]\\nEnvironment=POOLGATE_TOKEN_FILE=${TOKEN_PATH}\\n' | sudo -n tee ${DROP_IN} >/dev/null`,
      `${token}\n`,
    );
    t.equal(put.code, 0, `${n}: the token and the unit's drop-in in place (${put.stderr.trim()})`);
  }
  await restartUnits(fleet);
  const url = (n: string) => `http://${fleet.host(n).address}:${fleet.app.port}`;
  const bearer = { authorization: `Bearer ${token}` };
  for (const n of appHosts(fleet)) {
    t.equal(await statusOf(`${url(n)}/api/health/pool-config`), 401, `${n} refuses a probe without the token`);
    t.equal(await statusOf(`${url(n)}/api/health/pool-config`, bearer), 200, `${n} answers with it`);
  }

  const startedS = Math.floor(Date.now() / 1000) - 1;
  await sleep(1000);
  const stop = new AbortController();
  const traffic = trafficUntil(fleet.haproxy.url, stop.signal);
  const runId = `fleet-token-${Date.now()}`;
  const run = await runFleetPlaybook(
    fleet,
    'pool-scaling.yml',
    fleetRunVars(fleet, runId, { pool_scaling_apply_method: 'sighup', pool_instance_token_file: bastionToken }),
    ['-v'],
  );
  stop.abort();
  const sent = await traffic;

  assertRunSucceeded(t, run, 'the playbook succeeds through the token');
  t.equal(sent.failed, 0, 'zero failed requests', { failures: sent.failures.slice(0, 5) });
  t.ok(sent.ok > 100, `traffic flowed (${sent.ok} ok)`);
  await assertWritesExactlyOnce(t, fleetAppQuery(fleet), sent);
  for (const n of appHosts(fleet)) {
    const res = await fetch(`${url(n)}/api/health/pool-config`, { headers: bearer });
    const pc = (await res.json()) as { pool: { max: number; min: number } };
    t.same([pc.pool.max, pc.pool.min], [200, 20], `${n} runs max 200 / min 20 (read back with the token)`);
    t.equal(await statusOf(`${url(n)}/api/health/pool-config`), 401, `${n} still refuses a probe without it`);
  }
  await assertFleetLbReady(t, fleet, 'after the change');
  const dir = evidenceDirOf(runId);
  const plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as {
    targets: Array<{ name: string; token_file?: string }>;
  };
  t.same(
    plan.targets.map((x) => [x.name, x.token_file]),
    appHosts(fleet).map((n) => [n, bastionToken]),
    "the plan names each target's token file on the bastion, not the token",
  );
  t.same(filesContaining(dir, token), [], 'no evidence file holds the token');
  t.notOk(`${run.stdout}\n${run.stderr}`.includes(token), "Ansible's -v output does not show the token");
  for (const h of fleet.hosts) {
    const r = await sshOn(
      fleet,
      h.name,
      `sudo -n journalctl --since @${startedS} -o cat --no-pager | grep -c -F -- ${token} || true`,
    );
    t.equal(r.stdout.trim(), '0', `${h.name}: no journal entry since the run began holds the token`);
  }
  // Where a leak would be: Ansible logged the pool_config module's arguments on each app host, the token masked.
  for (const n of appHosts(fleet)) {
    const r = await sshOn(
      fleet,
      n,
      `sudo -n journalctl --since @${startedS} -o cat --no-pager | grep -c 'Invoked with .*token=NOT_LOGGING_PARAMETER' || true`,
    );
    t.ok(
      Number(r.stdout.trim()) >= 1,
      `${n}: the module's logged arguments hold the token masked (${r.stdout.trim()})`,
    );
  }
});
