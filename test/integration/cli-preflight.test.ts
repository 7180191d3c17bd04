import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import t from 'tap';
import { isValid } from '../../scripts/lib/schema';
import { readPassword, useLab, pgQuery } from '../helpers/lab';
import {
  labPlan,
  pgOwnedDir,
  pgTool,
  replicationRole,
  runCli,
  stopCluster,
  superSql,
  waitFor,
  writePlan,
} from './cli-support';
import type { Item } from '../../scripts/types/evidence-common';

const item = (json: Record<string, unknown> | null, id: string): Item | undefined =>
  (json?.items as Item[] | undefined)?.find((i) => i.id === id);
const itemsLike = (json: Record<string, unknown> | null, prefix: string): Item[] =>
  ((json?.items as Item[] | undefined) ?? []).filter((i) => i.id.startsWith(prefix));

t.test('preflight on the lab', async (t) => {
  const lab = await useLab(t);

  t.test('a healthy lab passes, and the JSON (= the evidence file) validates against its schema', async (t) => {
    const dir = t.testdir();
    const plan = writePlan(dir, labPlan(lab, dir));
    const r = await runCli(['preflight', '--plan', plan, '--evidence-dir', path.join(dir, 'ev'), '--json']);
    t.equal(r.code, 0, r.stderr);
    t.ok(isValid('preflight-result', r.json), 'stdout validates against preflight-result');
    t.equal(r.json!.verdict, 'PASS');
    t.equal(item(r.json, 'capacity')!.verdict, 'PASS', 'the lab has room: 1100 connections');
    t.equal(item(r.json, 'blocked_sessions')!.verdict, 'PASS');
    const advice = item(r.json, 'pool-size-advice');
    t.equal(advice?.verdict, 'WARN', 'a planned max of 200 on the lab is advice worth reading, never a silent pass');
    t.match(advice?.measured, /recommended max \d+/);
    const files = fs.readdirSync(path.join(dir, 'ev'));
    t.match(files, [/^preflight_\d{8}T\d{6}Z\.json$/]);
    t.same(
      JSON.parse(fs.readFileSync(path.join(dir, 'ev', files[0]!), 'utf8')),
      r.json,
      'the evidence file is what was printed',
    );
  });

  t.test(
    '--snapshot takes the baseline snapshot inside the same sample window, without changing the verdict',
    async (t) => {
      const dir = t.testdir();
      const plan = writePlan(dir, labPlan(lab, dir, { preflight: { window_s: 3 } }));
      const r = await runCli([
        'preflight',
        '--plan',
        plan,
        '--evidence-dir',
        path.join(dir, 'ev'),
        '--json',
        '--snapshot',
        '--snapshot-window-s',
        '2',
      ]);
      t.equal(r.code, 0, r.stderr);
      t.equal(r.json!.verdict, 'PASS');
      t.ok(isValid('preflight-result', r.json), 'stdout is still a preflight result');
      const files = fs.readdirSync(path.join(dir, 'ev')).sort();
      t.match(files, [/^pre_change_snapshot_\d{8}T\d{6}Z\.json$/, /^preflight_\d{8}T\d{6}Z\.json$/]);
      const snap = JSON.parse(fs.readFileSync(path.join(dir, 'ev', files[0]!), 'utf8')) as {
        complete: boolean;
        run: { started_at: string; finished_at: string };
        instances: Array<{ name: string; pool_config: { pool: { max: number } } | null }>;
      };
      t.ok(isValid('snapshot', snap), 'the snapshot validates against its schema');
      t.equal(snap.complete, true);
      t.same(
        snap.instances.map((i) => i.pool_config?.pool.max),
        [50, 50, 50, 50],
        "it read every instance's pool config",
      );
      t.match(r.stderr, /baseline snapshot complete: .*pre_change_snapshot_/, 'stderr says where it is');
      const pre = (r.json as { run: { started_at: string; finished_at: string } }).run;
      const ms = (a: string, b: string): number => Date.parse(b) - Date.parse(a);
      t.ok(
        ms(pre.started_at, snap.run.started_at) < 1000,
        'the snapshot started with the preflight window, not after it',
      );
      t.ok(ms(snap.run.finished_at, pre.finished_at) >= 0, 'and ended inside it');
    },
  );

  t.test('the pool-size advice gates only when the operator asks (--advice-fail-on warning)', async (t) => {
    const dir = t.testdir();
    const plan = writePlan(dir, labPlan(lab, dir));
    const r = await runCli([
      'preflight',
      '--plan',
      plan,
      '--evidence-dir',
      path.join(dir, 'ev'),
      '--json',
      '--advice-fail-on',
      'warning',
    ]);
    t.equal(r.code, 1, 'DO NOT PROCEED');
    t.equal(item(r.json, 'pool-size-advice')?.verdict, 'FAIL');
    t.same(
      (r.json!.items as Item[]).filter((i) => i.verdict === 'FAIL').map((i) => i.id),
      ['pool-size-advice'],
      'nothing else failed',
    );
  });

  t.test('bad input exits 2 and writes nothing', async (t) => {
    const dir = t.testdir();
    const plan = writePlan(dir, labPlan(lab, dir, { preflight: { max_p95_ms: -1 } }));
    const r = await runCli(['preflight', '--plan', plan, '--evidence-dir', path.join(dir, 'ev')]);
    t.equal(r.code, 2);
    t.match(r.stderr, /max_p95_ms/);
    t.notOk(fs.existsSync(path.join(dir, 'ev')), 'no evidence folder');
  });

  t.test('no password for the database (a vault not loaded): could not measure, saying what is missing', async (t) => {
    const dir = t.testdir();
    const plan = writePlan(dir, labPlan(lab, dir, { database: { password_file: undefined } }));
    // Nothing else may supply one: no PGPASSWORD, no ~/.pgpass.
    const started = Date.now();
    const r = await runCli(['preflight', '--plan', plan, '--evidence-dir', path.join(dir, 'ev'), '--json'], {
      PGPASSWORD: '',
      PGPASSFILE: path.join(dir, 'no-pgpass'),
    });
    t.equal(r.code, 3, 'exit 3: could not measure, never passed');
    const detail = item(r.json, 'blocked_sessions')?.detail ?? '';
    t.match(
      detail,
      `asks ${lab.pg.monitorUser} for a password and poolgate was given none: set the plan's database.password_file`,
      'the item names the user and where a password can come from',
    );
    t.notMatch(detail, /client password must be a string/, "not pg's SCRAM internals");
    // pg leaves a handshake it gave up on open: the command used to wait for the server's authentication_timeout.
    const tookS = (Date.now() - started) / 1000;
    t.ok(tookS < 30, `the command did not wait out PostgreSQL's 60 s authentication_timeout (${tookS.toFixed(1)} s)`);
  });

  t.test("a session blocked on another's lock fails the blocked-sessions item (DO NOT PROCEED, exit 1)", async (t) => {
    const connect = async (): Promise<Client> => {
      const c = new Client({
        host: lab.pg.host,
        port: lab.pg.port,
        database: lab.pg.database,
        user: lab.pg.appUser,
        password: readPassword(lab, 'app'),
        application_name: 'poolgate-test-lock',
      });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    };
    const holder = await connect();
    const waiter = await connect();
    t.teardown(async () => {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end().catch(() => undefined);
      await waiter.end().catch(() => undefined);
    });
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
    const blocked = waiter.query('SELECT count(*) FROM accounts').catch(() => undefined);
    await waitFor(
      'the waiter to block',
      async () =>
        Number(
          (
            await pgQuery<{ n: number }>(
              lab,
              'SELECT count(*)::int AS n FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0',
            )
          )[0]!.n,
        ) > 0,
    );

    const dir = t.testdir();
    const r = await runCli([
      'preflight',
      '--plan',
      writePlan(dir, labPlan(lab, dir)),
      '--evidence-dir',
      path.join(dir, 'ev'),
    ]);
    t.equal(r.code, 1, r.stderr);
    t.match(r.stdout, /DO NOT PROCEED/);
    t.match(r.stdout, /blocked sessions +1 +≤ 0 +FAIL/);
    await holder.query('ROLLBACK');
    await blocked;
  });

  t.test('a server with max_connections 50 fails the capacity gate at the worst step, with advice', async (t) => {
    const base = pgOwnedDir('poolgate-small-pg-');
    const data = path.join(base, 'data');
    t.teardown(async () => {
      await stopCluster(data);
      fs.rmSync(base, { recursive: true, force: true });
    });
    const host = `127.0.${lab.slot}.5`;
    await pgTool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await pgTool('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(base, 'log'),
      '-w',
      '-o',
      `-c listen_addresses=${host} -p 54321 -c max_connections=50 -c unix_socket_directories=${base} -c fsync=off -c shared_buffers=8MB`,
      'start',
    ]);

    const dir = t.testdir();
    const plan = writePlan(
      dir,
      labPlan(lab, dir, {
        database: {
          host,
          port: 54321,
          database: 'postgres',
          user: 'postgres',
          password_file: undefined,
          app_user: undefined,
        },
      }),
    );
    const r = await runCli(['preflight', '--plan', plan, '--evidence-dir', path.join(dir, 'ev'), '--json']);
    t.equal(r.code, 1, r.stderr);
    t.ok(isValid('preflight-result', r.json));
    const cap = item(r.json, 'capacity')!;
    t.equal(cap.verdict, 'FAIL');
    const capacity = r.json!.capacity as {
      usable: number;
      worst: { step: string; demand: number };
      shortfall: number;
      advice: string;
    };
    t.equal(capacity.usable, 47, '50 − 3 superuser-reserved');
    t.equal(capacity.worst.step, 'switching primary-2');
    t.equal(capacity.worst.demand, 3 * 200 + 50 + 200 + 5 + 10, 'Σ + overlap + other clients peak + headroom');
    t.equal(capacity.shortfall, capacity.worst.demand - 47);
    t.match(capacity.advice, /raise max_connections by \d+ \(to \d+\)/);
  });

  t.test('a real pg_basebackup of the lab is the backup source: its age is judged', async (t) => {
    const role = 'poolgate_test_basebackup';
    const password = await replicationRole(t, lab, role);
    const target = pgOwnedDir('poolgate-basebackups-');
    t.teardown(() => fs.rmSync(target, { recursive: true, force: true }));
    const before = Date.now();
    // Tar format, compressed, WAL fetched into it at the end: base.tar.gz and the backup_manifest.
    await pgTool(
      'pg_basebackup',
      [
        '-h',
        lab.pg.host,
        '-p',
        String(lab.pg.port),
        '-U',
        role,
        '-D',
        path.join(target, 'base-1'),
        '-Ft',
        '-z',
        '-X',
        'fetch',
        '-c',
        'fast',
      ],
      { PGPASSWORD: password },
    );
    const after = Date.now();
    const taken = fs.readdirSync(path.join(target, 'base-1'));
    t.ok(taken.includes('backup_manifest') && taken.includes('base.tar.gz'), `a tar backup: ${taken.join(', ')}`);

    const dir = t.testdir();
    const plan = labPlan(lab, dir, { preflight: { backup: { source: 'pg_basebackup', path: target } } });
    const fresh = await runCli([
      'preflight',
      '--plan',
      writePlan(dir, plan),
      '--evidence-dir',
      path.join(dir, 'ev'),
      '--json',
    ]);
    t.equal(fresh.code, 0, fresh.stderr);
    const b = fresh.json!.backup as { source: string; newest_at: string; detail: string; age_h: number };
    t.equal(b.source, 'pg_basebackup');
    t.match(b.detail, /newest of 1 is base-1 \(backup_manifest\)/);
    const at = Date.parse(b.newest_at);
    // The manifest's times have whole seconds: the label was produced during the backup.
    t.ok(at >= before - 1000 && at <= after, `the backup's time ${b.newest_at} is when it was taken`);
    const age = item(fresh.json, 'backup_age')!;
    t.same([age.verdict, age.item], ['PASS', 'last backup (pg_basebackup)']);

    // Its age is judged: a backup older than max_age_h fails, naming the source.
    await new Promise((r) => setTimeout(r, 2000));
    const strict = labPlan(lab, dir, {
      preflight: { backup: { source: 'pg_basebackup', path: target, max_age_h: 0.0005 } },
    });
    const stale = await runCli([
      'preflight',
      '--plan',
      writePlan(dir, strict),
      '--evidence-dir',
      path.join(dir, 'ev2'),
      '--json',
    ]);
    t.equal(stale.code, 1, stale.stderr);
    const old = item(stale.json, 'backup_age')!;
    t.equal(old.verdict, 'FAIL');
    t.match(old.detail, /pg_basebackup: newest of 1 is base-1 .*take a fresh backup/);
  });

  t.test('a paused streaming replica that falls behind fails the replication checks', async (t) => {
    const pgSocket = lab.pg.socketDir;
    const replUser = 'poolgate_test_repl';
    const replPassword = await replicationRole(t, lab, replUser);
    const base = pgOwnedDir('poolgate-replica-');
    const data = path.join(base, 'data');
    const replicaHost = `127.0.${lab.slot}.6`;
    const replicaPort = 54322;
    t.teardown(async () => {
      await stopCluster(data);
      fs.rmSync(base, { recursive: true, force: true });
    });
    await pgTool(
      'pg_basebackup',
      ['-h', lab.pg.host, '-p', String(lab.pg.port), '-U', replUser, '-D', data, '-R', '-X', 'stream', '-c', 'fast'],
      { PGPASSWORD: replPassword },
    );
    await pgTool('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(base, 'log'),
      '-w',
      '-o',
      `-c listen_addresses=${replicaHost} -p ${replicaPort} -c unix_socket_directories=${base} -c cluster_name=poolgate_test_replica -c log_connections=off -c log_disconnections=off`,
      'start',
    ]);
    await waitFor(
      'the replica to stream',
      async () =>
        (
          await superSql(pgSocket, lab.pg.port, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming';")
        ).trim() === '1',
    );

    const dir = t.testdir();
    const plan = labPlan(lab, dir, {
      preflight: {
        database: {
          expect_replicas: 1,
          max_replication_lag_bytes: 1048576,
          replicas: [
            {
              host: replicaHost,
              port: replicaPort,
              database: lab.pg.database,
              user: lab.pg.monitorUser,
              password_file: lab.pg.monitorPasswordFile,
            },
          ],
        },
      },
    });
    const planFile = writePlan(dir, plan);
    await waitFor('the replica to catch up', async () => {
      const lag = await superSql(
        pgSocket,
        lab.pg.port,
        'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication;',
      );
      return Number(lag.trim()) === 0;
    });
    const caughtUp = await runCli(['preflight', '--plan', planFile, '--evidence-dir', path.join(dir, 'ev1'), '--json']);
    t.equal(caughtUp.code, 0, `a caught-up replica passes: ${caughtUp.stderr}`);
    t.equal(item(caughtUp.json, 'replicas_connected')!.verdict, 'PASS');
    t.same(
      itemsLike(caughtUp.json, 'replication_lag:').map((i) => i.verdict),
      ['PASS'],
    );
    t.equal(item(caughtUp.json, `replica:${replicaHost}:${replicaPort}`)!.verdict, 'PASS');

    await superSql(base, replicaPort, 'SELECT pg_wal_replay_pause();');
    // 3 MB of WAL on the primary: the paused replica receives it but does not replay it.
    await superSql(
      pgSocket,
      lab.pg.port,
      "SELECT count(pg_logical_emit_message(false, 'poolgate-test', repeat('x', 1000000))) FROM generate_series(1, 3);",
    );
    const behind = await runCli(['preflight', '--plan', planFile, '--evidence-dir', path.join(dir, 'ev2'), '--json']);
    t.equal(behind.code, 1, behind.stderr);
    t.ok(isValid('preflight-result', behind.json));
    const lag = itemsLike(behind.json, 'replication_lag:');
    t.equal(lag.length, 1);
    t.equal(lag[0]!.verdict, 'FAIL');
    t.ok(lag[0]!.value! > 3_000_000, `bytes behind measured on the primary: ${lag[0]!.value}`);
    const self = item(behind.json, `replica:${replicaHost}:${replicaPort}`)!;
    t.equal(self.verdict, 'FAIL');
    t.match(self.detail, /paused/);
    await superSql(base, replicaPort, 'SELECT pg_wal_replay_resume();');
  });
});
