import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { request } from 'undici';
import { haproxyPid } from '../../lab/control/haproxy';
import { listeningOn } from '../../lab/control/net';
import { postmasterPid } from '../../lab/control/postgres';
import { processesUsing } from '../../lab/control/proc';
import { programStatuses, supervisordPid } from '../../lab/control/supervisor';
import type { LabConfig } from '../../lab/lab-config';
import { backendServers, setServerState } from '../../scripts/lib/haproxy-socket';
import { packageRoot } from '../../scripts/lib/paths';
import { problemsOf } from '../../scripts/lib/schema';
import type { LabStatus } from '../../scripts/types/lab-status';
import { assertWritesExactlyOnce, readPassword, runLabScript, steadyTraffic, useLab } from '../helpers/lab';

async function pids(cfg: LabConfig): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {
    postgresql: postmasterPid(cfg),
    supervisord: supervisordPid(cfg),
    haproxy: haproxyPid(cfg),
  };
  for (const p of (await programStatuses(cfg)) ?? []) out[p.program] = p.pid;
  return out;
}

function labctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path.join(packageRoot, 'lab', 'bin', 'labctl'), args, { timeout: 90_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function getJsonBody(url: string): Promise<{ status: number; body: unknown }> {
  const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
  return { status: res.statusCode, body: await res.body.json() };
}

async function waitAllUp(cfg: LabConfig, timeoutMs = 10_000): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const servers = await backendServers(cfg.haproxy.socket, cfg.haproxy.backend);
    const states = new Map([...servers].map(([name, row]) => [name, row.status]));
    if ([...states.values()].every((s) => s === 'UP') || Date.now() > deadline) return states;
    await sleep(200);
  }
}

t.test('the lab', async (t) => {
  const cfg = await useLab(t);

  t.test('lab up is idempotent: a second up changes no pid and keeps a changed pool config', async (t) => {
    const before = await pids(cfg);
    t.equal(
      Object.values(before).filter((p) => p !== undefined).length,
      3 + cfg.instances.length,
      'every part has a pid',
    );
    const inst = cfg.instances[1]!;
    const original = fs.readFileSync(inst.configPath, 'utf8');
    const changed = `${JSON.stringify({ ...JSON.parse(original), max: 77 }, null, 2)}\n`;
    fs.writeFileSync(inst.configPath, changed);
    t.teardown(() => fs.writeFileSync(inst.configPath, original));
    const second = await runLabScript('lab-up');
    t.equal(second.code, 0, `second lab-up exits 0 (${second.stderr.trim()})`);
    t.same(await pids(cfg), before, 'same pids after the second up');
    t.equal(fs.readFileSync(inst.configPath, 'utf8'), changed, `${inst.name}'s changed pool.json is kept`);
  });

  t.test('HAProxy serves the ledger API', async (t) => {
    const { status, body } = await getJsonBody(`${cfg.haproxy.url}/api/accounts`);
    t.equal(status, 200);
    t.ok(((body as { accounts: unknown[] }).accounts ?? []).length >= 2, 'seeded accounts come back');
  });

  t.test('lab-status --json says healthy, with each instance pool as in its file', async (t) => {
    const r = await runLabScript('lab-status', ['--json']);
    t.equal(r.code, 0, 'exit 0 when healthy');
    const status = JSON.parse(r.stdout) as LabStatus;
    t.same(problemsOf('lab-status', status), [], 'matches schemas/lab-status.schema.json');
    t.equal(status.healthy, true);
    for (const inst of cfg.instances) {
      const c = status.components.find((x) => x.component === `instance ${inst.name}`);
      const file = JSON.parse(fs.readFileSync(inst.configPath, 'utf8')) as { max: number; min: number };
      t.match(
        c,
        { healthy: true, pool: { max: file.max, min: file.min } },
        `${inst.name} healthy with max ${file.max}`,
      );
    }
  });

  t.test('every endpoint of every instance answers JSON that matches its contract', async (t) => {
    for (const inst of cfg.instances) {
      for (const [route, schema] of [
        ['/health', 'service-health'],
        ['/api/health/pool-config', 'service-pool-config'],
        ['/api/health/metrics', 'service-metrics'],
      ] as const) {
        const { status, body } = await getJsonBody(`${inst.url}${route}`);
        t.equal(status, 200, `${inst.name} ${route} 200`);
        t.same(problemsOf(schema, body), [], `${inst.name} ${route} matches ${schema}`);
      }
      const accounts = await getJsonBody(`${inst.url}/api/accounts`);
      t.match(accounts, {
        status: 200,
        body: { accounts: [{ id: Number, code: String, name: String, type: String }] },
      });
      const balance = await getJsonBody(`${inst.url}/api/accounts/1/balance`);
      t.match(balance, { status: 200, body: { id: 1 } }, `${inst.name} balance of account 1`);
      const res = await request(`${inst.url}/api/journal-entries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          memo: `lab test via ${inst.name}`,
          lines: [
            { account_id: 1, debit: '5.00', credit: '0' },
            { account_id: 6, debit: '0', credit: '5.00' },
          ],
        }),
      });
      const created = (await res.body.json()) as { id: number };
      t.equal(res.statusCode, 201, `${inst.name} posts a journal entry`);
      const entry = await getJsonBody(`${inst.url}/api/journal-entries/${created.id}`);
      t.match(
        entry,
        { status: 200, body: { id: created.id, memo: `lab test via ${inst.name}` } },
        `${inst.name} reads it back`,
      );
    }
  });

  t.test(
    'HAProxy: both primaries in maintenance under traffic moves it to the standbys, no request fails',
    async (t) => {
      const primaries = cfg.instances.filter((i) => i.role === 'primary');
      const standbys = cfg.instances.filter((i) => i.role === 'standby');
      t.teardown(async () => {
        for (const p of primaries) await setServerState(cfg.haproxy.socket, cfg.haproxy.backend, p.name, 'ready');
      });
      const stot = async (): Promise<Map<string, number>> =>
        new Map([...(await backendServers(cfg.haproxy.socket, cfg.haproxy.backend))].map(([n, r]) => [n, r.stot]));
      const idle = await stot();
      const traffic = steadyTraffic(cfg.haproxy.url, { concurrency: 6, durationMs: 4500, writeRatio: 0.3 });
      await sleep(1000);
      const start = await stot();
      for (const p of primaries) await setServerState(cfg.haproxy.socket, cfg.haproxy.backend, p.name, 'maint');
      await sleep(1000);
      const inMaint = await stot();
      await sleep(1000);
      const later = await stot();
      for (const p of primaries) await setServerState(cfg.haproxy.socket, cfg.haproxy.backend, p.name, 'ready');
      const result = await traffic;
      t.equal(result.failed, 0, `no failed request (${result.ok} ok): ${JSON.stringify(result.failures.slice(0, 3))}`);
      t.ok(result.ok > 50, `traffic flowed (${result.ok} requests)`);
      for (const s of standbys)
        t.equal(start.get(s.name), idle.get(s.name), `${s.name} (backup) idle while the primaries serve`);
      for (const p of primaries)
        t.equal(later.get(p.name), inMaint.get(p.name), `${p.name} got no new request in maintenance`);
      for (const s of standbys)
        t.ok(later.get(s.name)! > inMaint.get(s.name)!, `${s.name} served traffic while the primaries were out`);
      await assertWritesExactlyOnce(t, cfg, result);
      const states = await waitAllUp(cfg);
      t.same(
        [...states.values()].filter((s) => s !== 'UP'),
        [],
        'every server is UP again after ready',
      );
    },
  );

  t.test('the generated passwords appear in no argv, no config and no log of the lab', async (t) => {
    const secrets = [readPassword(cfg, 'app'), readPassword(cfg, 'monitor')];
    t.ok(
      secrets.every((s) => s.length >= 24),
      'both passwords exist',
    );
    for (const file of [
      cfg.pg.logPath,
      cfg.supervisor.configPath,
      cfg.supervisor.logPath,
      cfg.haproxy.configPath,
      ...cfg.instances.flatMap((i) => [
        i.logPath,
        path.join(path.dirname(i.logPath), 'stdout.log'),
        path.join(path.dirname(i.logPath), 'stderr.log'),
      ]),
    ]) {
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      t.notOk(
        secrets.some((s) => text.includes(s)),
        `not in ${path.relative(cfg.stateDir, file)}`,
      );
    }
    const argvs = processesUsing(cfg.stateDir)
      .map((p) => p.cmd)
      .join('\n');
    t.ok(argvs.length > 0 && !secrets.some((s) => argvs.includes(s)), 'not in any lab process command line');
  });

  t.test('labctl restart of both primaries under traffic: new pids, no failed request, every write kept', async (t) => {
    const primaries = cfg.instances.filter((i) => i.role === 'primary');
    const before = await pids(cfg);
    const traffic = steadyTraffic(cfg.haproxy.url, { concurrency: 6, durationMs: 7000, writeRatio: 0.3 });
    await sleep(1000);
    for (const p of primaries) {
      const r = await labctl(['restart', p.name]);
      t.equal(r.code, 0, `labctl restart ${p.name}: ${r.stdout.trim().replace(/\n/g, ' ')}`);
      await sleep(1500);
    }
    const result = await traffic;
    const after = await pids(cfg);
    for (const p of primaries) t.not(after[p.service], before[p.service], `${p.name} has a new pid`);
    t.equal(result.failed, 0, `no failed request (${result.ok} ok): ${JSON.stringify(result.failures.slice(0, 3))}`);
    await assertWritesExactlyOnce(t, cfg, result);
    t.same(
      [...(await waitAllUp(cfg)).values()].filter((s) => s !== 'UP'),
      [],
      'every server is UP again',
    );
  });

  t.test('labctl hup makes an instance load its changed pool config; bad usage exits 2', async (t) => {
    const inst = cfg.instances[0]!;
    const original = fs.readFileSync(inst.configPath, 'utf8');
    const poolConfig = async (): Promise<{ generation: number; pool: { max: number } }> =>
      (await getJsonBody(`${inst.url}/api/health/pool-config`)).body as { generation: number; pool: { max: number } };
    const start = await poolConfig();
    t.teardown(async () => {
      fs.writeFileSync(inst.configPath, original);
      await labctl(['hup', inst.name]);
    });
    fs.writeFileSync(
      inst.configPath,
      `${JSON.stringify({ ...JSON.parse(original), max: start.pool.max + 7 }, null, 2)}\n`,
    );
    t.equal((await labctl(['hup', inst.name])).code, 0);
    let now = start;
    for (let i = 0; i < 50 && now.generation === start.generation; i++) {
      await sleep(100);
      now = await poolConfig();
    }
    t.match(now, { generation: start.generation + 1, pool: { max: start.pool.max + 7 } }, 'the new max is in force');
    t.equal((await labctl(['hup', 'no-such-instance'])).code, 2);
    t.equal((await labctl(['reboot', inst.name])).code, 2);
  });

  const notOurs = cfg.startedHere ? false : "the lab was already up before this test: not stopping someone else's lab";
  t.test('lab-down leaves no process and no listening port of the slot', { skip: notOurs }, async (t) => {
    const r = await runLabScript('lab-down');
    t.equal(r.code, 0, `lab-down exits 0 (${r.stdout.trim()})`);
    t.same(listeningOn(cfg.net), [], `nothing listens on ${cfg.net}.0/24`);
    t.same(processesUsing(cfg.stateDir), [], 'no process of the slot is left');
    t.equal(postmasterPid(cfg), undefined, 'postgresql stopped');
    t.notOk(fs.existsSync(cfg.haproxy.socket) || fs.existsSync(cfg.supervisor.socket), 'sockets removed');
    t.ok(fs.existsSync(cfg.pg.dataDir), 'the data dir is kept');
    const again = await runLabScript('lab-down');
    t.match(again, { code: 0, stdout: /nothing was running/ }, 'a second lab-down is a no-op');
  });
});
