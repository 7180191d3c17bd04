import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { STOP_GRACE_MS } from '../../lab/control/haproxy';
import { journalRecord } from '../../scripts/lib/log-scan';
import { trafficUntil } from '../e2e/rollout-helpers';
import { sshOn, useFleet, type FleetHandle } from '../helpers/fleet';
import {
  assertFleetLbReady,
  fleetAppQuery,
  fleetPids,
  lbServers,
  restoreFleetBaseline,
} from '../helpers/fleet-rollout';
import { assertWritesExactlyOnce } from '../helpers/lab';

// The restart and the traffic around it take well under a minute; the baseline restores around it take longer.
t.setTimeout(600_000);

interface JournalLine {
  atUs: number;
  message: string;
}

/** A host's journal lines matching `selector` since `sinceMs` (the hosts share the control node's clock). */
async function journal(fleet: FleetHandle, host: string, selector: string, sinceMs: number): Promise<JournalLine[]> {
  const since = Math.floor(sinceMs / 1000);
  const r = await sshOn(fleet, host, `sudo -n journalctl ${selector} -o json --no-pager --since @${since}`);
  if (r.code !== 0) throw new Error(`journalctl ${selector} on ${host}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .map(journalRecord)
    .flatMap((e) => (e?.atUs !== undefined && e.atUs >= sinceMs * 1000 ? [{ atUs: e.atUs, message: e.message }] : []));
}

/** The service's own event of that name, from its JSON log lines in the journal. */
function serviceEvent(
  lines: JournalLine[],
  event: string,
): (JournalLine & { fields: Record<string, unknown> }) | undefined {
  for (const l of lines) {
    if (!l.message.startsWith('{')) continue;
    const fields = JSON.parse(l.message) as Record<string, unknown>;
    if (fields.event === event) return { ...l, fields };
  }
  return undefined;
}

/**
 * A stop nobody drained (an OS update, a deploy, an operator's `systemctl restart`: poolgate and HAProxy's admin
 * socket are not involved) under reads and writes through lb-1: the unit's stop grace keeps the instance serving,
 * /health draining, until HAProxy's own checks have taken it out, so no request is lost and no write is doubled.
 * The journals on the two hosts show the order that makes it so: HAProxy marked the server DOWN on a 503 from
 * /health after the stop began and before the instance stopped accepting.
 */
void t.test(
  'an undrained systemctl restart under traffic: HAProxy takes the instance out within its grace',
  async (t) => {
    const fleet = await useFleet(t);
    const host = 'primary-1';
    await restoreFleetBaseline(fleet);
    t.teardown(() => restoreFleetBaseline(fleet));
    const pidsBefore = await fleetPids(fleet);

    const stop = new AbortController();
    const traffic = trafficUntil(fleet.haproxy.url, stop.signal);
    await sleep(2000);
    const restartAt = Date.now();
    const restart = await sshOn(fleet, host, `sudo -n systemctl restart ${fleet.app.unit}`);
    const back = await (async () => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const s = (await lbServers(fleet)).find((x) => x.server === host);
        if (s?.status === 'UP' && s.ready) return true;
        await sleep(250);
      }
      return false;
    })();
    await sleep(2000);
    stop.abort();
    const sent = await traffic;

    t.equal(restart.code, 0, `systemctl restart ${fleet.app.unit} on ${host} (${restart.stderr.trim()})`);
    t.ok(back, `${host} is UP and READY at HAProxy again`);
    t.ok(sent.ok > 50, `traffic flowed through lb-1 around the restart (${sent.ok} ok)`);
    t.equal(sent.failed, 0, 'zero failed requests', { failures: sent.failures.slice(0, 5) });
    await assertWritesExactlyOnce(t, fleetAppQuery(fleet), sent);
    const pidsAfter = await fleetPids(fleet);
    for (const [name, pid] of Object.entries(pidsBefore)) {
      if (name === host) t.not(pidsAfter[name], pid, `${name} was restarted`);
      else t.equal(pidsAfter[name], pid, `${name} was not touched`);
    }
    await assertFleetLbReady(t, fleet, 'after the restart');

    const service = await journal(fleet, host, `-u ${fleet.app.unit}`, restartAt);
    const stopping = serviceEvent(service, 'service_stopping');
    const closing = serviceEvent(service, 'service_closing');
    const down = (await journal(fleet, 'lb-1', '-t haproxy', restartAt)).find((l) =>
      l.message.includes(`Server ${fleet.haproxy.backend}/${host} is DOWN`),
    );
    t.ok(stopping, `${host}'s journal holds service_stopping`);
    t.ok(closing, `${host}'s journal holds service_closing (the grace ended)`);
    t.ok(down, `lb-1's journal holds HAProxy marking ${host} DOWN (without the grace it may restart unseen)`);
    if (!stopping || !closing || !down) return;
    t.equal(closing.fields.grace_ms, STOP_GRACE_MS, "the unit's grace: HAProxy's inter × (fall + 1)");
    t.match(down.message, /Layer7 wrong status, code: 503/, 'HAProxy took it out on /health answering 503 (draining)');
    const downMs = (down.atUs - stopping.atUs) / 1000;
    const closeMs = (closing.atUs - stopping.atUs) / 1000;
    t.ok(
      downMs > 0 && down.atUs < closing.atUs,
      `marked DOWN ${downMs.toFixed(0)} ms into the stop, before it stopped accepting at ${closeMs.toFixed(0)} ms`,
    );
  },
);
