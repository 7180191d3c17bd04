import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../scripts/lib/paths';
import { isValid } from '../../scripts/lib/schema';
import { steadyTraffic, useLab } from '../helpers/lab';
import { labPlan, runCli, writePlan } from './cli-support';
import type { Snapshot } from '../../scripts/types/snapshot';

t.test('snapshot on the lab', async (t) => {
  const lab = await useLab(t);

  t.test('records every instance, the database by application, logs and the git commit; JSON validates', async (t) => {
    const dir = t.testdir();
    // Traffic straight to primary-1 until the snapshot is taken (bounded: 60 s, 20k requests).
    const stop = new AbortController();
    const primary1 = lab.instances.find((i) => i.name === 'primary-1')!;
    const traffic = steadyTraffic(primary1.url, {
      concurrency: 2,
      durationMs: 60_000,
      maxRequests: 20_000,
      writeRatio: 0.2,
      signal: stop.signal,
    });
    const r = await runCli([
      'snapshot',
      '--plan',
      writePlan(dir, labPlan(lab, dir)),
      '--evidence-dir',
      path.join(dir, 'ev'),
      '--window-s',
      '2',
      '--json',
    ]);
    stop.abort();
    const sent = await traffic;
    t.equal(r.code, 0, r.stderr);
    t.ok(isValid('snapshot', r.json), 'stdout validates against snapshot');
    const s = r.json as unknown as Snapshot;
    t.equal(s.complete, true);
    t.equal(s.operator, 'integration test');
    t.same(
      s.instances.map((i) => i.name),
      ['standby-1', 'standby-2', 'primary-1', 'primary-2'],
    );
    for (const i of s.instances) t.equal(i.pool_config?.pool.max, 50, `${i.name} runs the baseline pool`);
    const primary = s.instances.find((i) => i.name === 'primary-1')!;
    t.ok(sent.ok > 0, `traffic flowed (${sent.ok} requests)`);
    t.equal(primary.summary!.error_rate, 0, 'primary-1 served the traffic without errors');
    t.ok(primary.summary!.latency_p95_ms! > 0);
    for (const i of lab.instances)
      t.ok((s.database!.activity!.db_by_application[i.name] ?? 0) >= 10, `${i.name} holds its min 10 connections`);
    t.equal(s.git.commit, execFileSync('git', ['-C', packageRoot, 'rev-parse', 'HEAD']).toString().trim());
    t.equal(s.logs.length, 4);
    const files = fs.readdirSync(path.join(dir, 'ev'));
    t.match(files, [/^pre_change_snapshot_\d{8}T\d{6}Z\.json$/]);
  });

  t.test('without an operator it is bad input: exit 2, nothing written', async (t) => {
    const dir = t.testdir();
    const plan = labPlan(lab, dir);
    delete plan.operator;
    const r = await runCli(
      ['snapshot', '--plan', writePlan(dir, plan), '--evidence-dir', path.join(dir, 'ev'), '--window-s', '0'],
      { POOLGATE_OPERATOR: '' },
    );
    t.equal(r.code, 2);
    t.match(r.stderr, /no operator/);
    t.notOk(fs.existsSync(path.join(dir, 'ev')));
  });

  t.test('an unreachable instance makes it incomplete: exit 3, still written with the reason', async (t) => {
    const dir = t.testdir();
    const notRepo = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-not-a-repo-'));
    t.teardown(() => fs.rmSync(notRepo, { recursive: true, force: true }));
    const r = await runCli([
      'snapshot',
      '--target',
      `primary-1=${lab.instances[2]!.url}`,
      '--target',
      `ghost=http://127.0.${lab.slot}.99:3000`,
      '--operator',
      'integration test',
      '--evidence-dir',
      path.join(dir, 'ev'),
      '--window-s',
      '0',
      '--repo',
      notRepo,
      '--json',
    ]);
    t.equal(r.code, 3, r.stderr);
    t.ok(isValid('snapshot', r.json));
    const s = r.json as unknown as Snapshot;
    t.equal(s.complete, false);
    t.match(s.instances[1]!.error, /ECONNREFUSED|failed/);
    t.equal(s.git.commit, null, 'a folder that is not a git repo: recorded as unknown');
    t.equal(fs.readdirSync(path.join(dir, 'ev')).length, 1);
  });
});
