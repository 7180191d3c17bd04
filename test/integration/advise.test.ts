import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { isValid, problemsOf } from '../../scripts/lib/schema';
import type { Advice } from '../../scripts/types/advice';
import { steadyTraffic, useLab } from '../helpers/lab';
import { runPoolgate } from '../helpers/poolgate-cli';

const poolgate = (args: string[], timeoutMs = 60_000) => runPoolgate(args, timeoutMs);

t.test(
  'poolgate advise on the lab under traffic: measures lambda and W, warns about a planned max of 200',
  async (t) => {
    const lab = await useLab(t);
    const dir = t.testdir({});
    const plan = {
      run_id: 'advise-it',
      change: {
        from: {
          min: 10,
          max: 50,
          idleTimeoutMillis: 30000,
          connectionTimeoutMillis: 2000,
          acquireTimeoutMillis: 10000,
        },
        to: { min: 20, max: 200, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
      },
      targets: lab.instances.map((i) => ({ name: i.name, url: i.url, role: i.role })),
      database: {
        host: lab.pg.host,
        port: lab.pg.port,
        database: lab.pg.database,
        user: lab.pg.monitorUser,
        password_file: lab.pg.monitorPasswordFile,
        app_user: lab.pg.appUser,
      },
    };
    const planFile = path.join(dir, 'plan.json');
    fs.writeFileSync(planFile, JSON.stringify(plan));
    const evidence = path.join(dir, 'evidence');

    const abort = new AbortController();
    t.teardown(() => abort.abort());
    const traffic = steadyTraffic(lab.haproxy.url, {
      concurrency: 4,
      durationMs: 30_000,
      maxRequests: 60_000,
      signal: abort.signal,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const snap = await poolgate([
      'snapshot',
      '--plan',
      planFile,
      '--operator',
      'advise-it',
      '--evidence-dir',
      evidence,
      '--json',
    ]);
    const run = await poolgate([
      'advise',
      '--plan',
      planFile,
      '--window',
      '6s',
      '--samples',
      '4',
      '--db-local',
      '--json',
      '--evidence-dir',
      evidence,
    ]);
    const snapshotFile = fs.readdirSync(evidence).find((f) => f.startsWith('pre_change_snapshot_'));
    const fromSnapshot = snapshotFile
      ? await poolgate([
          'advise',
          '--snapshot',
          path.join(evidence, snapshotFile),
          '--plan',
          planFile,
          '--db-cores',
          '2',
          '--json',
        ])
      : null;
    const failing = await poolgate([
      'advise',
      '--plan',
      planFile,
      '--window',
      '2s',
      '--samples',
      '2',
      '--db-local',
      '--fail-on',
      'warning',
    ]);
    abort.abort();
    const sent = await traffic;

    t.equal(run.code, 0, `advice never blocks unless asked (stderr: ${run.stderr})`);
    const advice = JSON.parse(run.stdout) as Advice;
    t.ok(isValid('advice', advice), problemsOf('advice', advice).join('; '));
    t.ok(sent.ok > 100, `traffic flowed (${sent.ok} ok, ${sent.failed} failed)`);
    const primaries = advice.instances.filter((i) => i.name.startsWith('primary'));
    t.equal(primaries.length, 2);
    for (const p of primaries) {
      t.equal(p.status, 'measured', `${p.name} measured`);
      t.ok(p.arrival_rate_per_s > 0, `${p.name} lambda ${p.arrival_rate_per_s}/s > 0`);
      t.ok((p.mean_hold_ms ?? 0) > 0, `${p.name} W ${p.mean_hold_ms} ms > 0`);
    }
    t.ok(advice.fleet.busy_avg_sum > 0);
    t.equal(advice.database.slots_source, 'probe');
    t.equal(advice.database.max_connections, lab.pg.maxConnections, 'usable slots read from the lab database');
    t.equal(advice.database.cores_source, 'local');
    t.equal(advice.planned?.max, 200);
    t.equal(advice.planned?.source, 'plan');
    t.ok(advice.recommended.max < 50, `recommended ${advice.recommended.max} is far below 200 for this lab load`);
    t.ok(
      advice.findings.some((f) => f.code === 'PLANNED_FAR_ABOVE_NEED'),
      advice.findings.map((f) => f.code).join(','),
    );
    t.ok(advice.findings.some((f) => f.code === 'PLANNED_ABOVE_BUDGET'));
    t.not(advice.severity, 'ok');
    const files = fs.readdirSync(evidence).filter((f) => /^advice_\d{8}T\d{6}Z\.json$/.test(f));
    t.equal(files.length, 1, 'advice_<ts>.json written');
    t.ok(isValid('advice', JSON.parse(fs.readFileSync(path.join(evidence, files[0]!), 'utf8'))));

    t.equal(snap.code, 0, `snapshot taken (stderr: ${snap.stderr})`);
    t.ok(fromSnapshot, 'pre_change_snapshot_*.json written');
    if (fromSnapshot) {
      t.equal(fromSnapshot.code, 0, fromSnapshot.stderr);
      const a = JSON.parse(fromSnapshot.stdout) as Advice;
      t.ok(isValid('advice', a));
      t.equal(a.source.kind, 'snapshot');
      t.ok(a.source.window_s >= 5, `window since the snapshot ${a.source.window_s} s`);
      t.ok(
        a.instances
          .filter((i) => i.name.startsWith('primary'))
          .every((i) => i.arrival_rate_per_s > 0 && (i.mean_hold_ms ?? 0) > 0),
      );
      t.equal(a.database.cores_source, 'given');
      t.ok(a.findings.some((f) => f.code === 'PLANNED_FAR_ABOVE_NEED'));
    }

    t.equal(failing.code, 1, `--fail-on warning exits 1 (stderr: ${failing.stderr})`);
    t.match(failing.stdout, /advise: (WARNING|CRITICAL) — recommended pool max \d+/);
  },
);

t.test('bad input exits 2 and an unreachable target exits 3, without the lab', async (t) => {
  const bad = await poolgate(['advise', '--target', 'x=http://127.0.0.1:9', '--window', '0s']);
  t.equal(bad.code, 2, bad.stderr);
  const down = await poolgate(['advise', '--target', 'x=http://127.0.0.1:9', '--window', '1s', '--samples', '2']);
  t.equal(down.code, 3, down.stderr);
  t.match(down.stderr, /x: could not read its metrics/);
});
