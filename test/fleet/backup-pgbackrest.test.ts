import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { sshOn, useFleet } from '../helpers/fleet';
import { runFleetPlaybook } from '../helpers/fleet-rollout';
import { runCli } from '../integration/cli-support';
import type { Item } from '../../scripts/types/evidence-common';

// Rendering the plan is one short playbook; each preflight samples the fleet for its window.
t.setTimeout(600_000);

const DB = 'db-1';
const INFO = ['sudo', '-n', '-u', 'postgres', 'pgbackrest', 'info', '--output=json'];

/**
 * The runbook's "Last backup < 24 hours" against production's default source, a real pgBackRest: db-1 archives its
 * WAL into a repository and fleet:up took a full backup there. poolgate preflight runs standalone from the bastion on
 * the fleet's own plan (rendered from inventory/fleet, the database password handed over as Ansible does) and reads
 * pgBackRest's listing on db-1 over SSH (`backup.host`), where its config and repository are.
 */
void t.test("preflight's backup gate reads pgBackRest on db-1", async (t) => {
  const fleet = await useFleet(t);
  const dir = t.testdir();
  const planFile = path.join(dir, 'plan.json');
  const rendered = await runFleetPlaybook(fleet, 'render-plan.yml', { plan_out: planFile });
  t.equal(rendered.code, 0, 'the fleet inventory renders its plan', { stdout: rendered.stdout.slice(-2000) });
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as {
    preflight: { backup: Record<string, unknown>; window_s?: number };
  };
  t.match(plan.preflight.backup, { source: 'pgbackrest', host: DB, command: INFO }, "the inventory's source: db-1");

  const preflight = async (what: string, backup: Record<string, unknown>) => {
    const file = path.join(dir, `${what}.json`);
    fs.writeFileSync(file, JSON.stringify({ ...plan, preflight: { ...plan.preflight, window_s: 1, backup } }));
    const r = await runCli(['preflight', '--plan', file, '--evidence-dir', path.join(dir, what), '--json'], {
      POOLGATE_DB_PASSWORD: fs.readFileSync(fleet.secrets.monitorPasswordFile, 'utf8').trim(),
    });
    const json = r.json as { items?: Item[]; backup?: Record<string, unknown> | null } | null;
    return { ...r, item: json?.items?.find((i) => i.id === 'backup_age'), evidence: json?.backup ?? null };
  };

  // What pgBackRest itself says on db-1: the newest backup's stop time.
  const info = await sshOn(fleet, DB, INFO.join(' '));
  t.equal(info.code, 0, `pgbackrest info on ${DB}`, { stderr: info.stderr });
  const stops = (JSON.parse(info.stdout) as Array<{ backup: Array<{ timestamp: { stop: number } }> }>).flatMap((s) =>
    s.backup.map((b) => b.timestamp.stop),
  );
  t.ok(stops.length > 0, `fleet:up left ${stops.length} backup(s) in the repository`);
  const newestAt = new Date(Math.max(...stops) * 1000).toISOString();

  const fresh = await preflight('fresh', plan.preflight.backup);
  t.match(
    fresh.item,
    { verdict: 'PASS', item: 'last backup (pgbackrest)', threshold: '< 24 h', measured: `(${newestAt})` },
    'a backup under 24 hours old passes',
    { stderr: fresh.stderr.slice(-2000) },
  );
  t.match(fresh.evidence, { source: 'pgbackrest', newest_at: newestAt }, "the evidence holds pgBackRest's stop time");
  t.match(fresh.evidence?.detail, / \(on db-1\)$/, 'and says where it was read');

  const old = await preflight('old', { ...plan.preflight.backup, max_age_h: 0.0001 });
  t.match(old.item, { verdict: 'FAIL' }, 'the same backup against a bound it exceeds fails');

  const none = await preflight('none', {
    ...plan.preflight.backup,
    command: ['sudo', '-n', '-u', 'postgres', 'pgbackrest', '--stanza=never', 'info', '--output=json'],
  });
  t.match(none.item, { verdict: 'FAIL' }, 'a stanza never backed up fails: no backup is a measured fact');
  t.equal(none.evidence?.newest_at, null, 'with no backup time');

  // The repository unreadable (its folder closed to postgres): pgBackRest still exits 0, with status 99.
  const repo = '/var/lib/pgbackrest';
  t.teardown(() => sshOn(fleet, DB, `sudo -n chmod 0750 ${repo}`));
  t.equal((await sshOn(fleet, DB, `sudo -n chmod 0000 ${repo}`)).code, 0, 'the repository closed');
  const unreadable = await preflight('unreadable', plan.preflight.backup);
  t.match(
    unreadable.item,
    { verdict: 'COULD_NOT_MEASURE', detail: /pgBackRest could not read stanza/ },
    'an unreadable repository is could not measure, never "no backup"',
  );
  await sshOn(fleet, DB, `sudo -n chmod 0750 ${repo}`);

  const unnamed = await preflight('unnamed', { ...plan.preflight.backup, host: 'db-9' });
  t.equal(unnamed.code, 2, 'a backup host the plan does not name is bad input (exit 2)');
  t.match(unnamed.stderr, "preflight.backup.host is db-9, which the plan's hosts do not name", 'saying so');
  t.notOk(fs.existsSync(path.join(dir, 'unnamed')), 'and nothing is written');
});
