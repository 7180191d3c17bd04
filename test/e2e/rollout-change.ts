import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import type { LoadtestResult } from '../../scripts/types/loadtest-result';
import type { VerificationReport } from '../../scripts/types/report';
import { assertLbReady, assertWritesExactlyOnce, useLab } from '../helpers/lab';
import {
  assertRunSucceeded,
  configHashes,
  events,
  evidenceDirOf,
  evidenceProblems,
  evidenceVerifies,
  peakConnections,
  pids,
  readPools,
  restoreBaseline,
  runPlaybook,
  runVars,
  trafficUntil,
} from './rollout-helpers';

/**
 * The whole change on the lab by one apply method, under steady reads and writes through HAProxy: zero failed
 * requests, every acknowledged write in the database, every instance at max 200 / min 20 read back, PostgreSQL
 * within its budget, a complete schema-valid sealed evidence folder. With `rerun`, the same run again must be a
 * no-op that says so.
 */
export async function changeUnderTraffic(t: Test, method: 'sighup' | 'restart', rerun: boolean): Promise<void> {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const pidsBefore = await pids(lab);

  const stop = new AbortController();
  const traffic = trafficUntil(lab.haproxy.url, stop.signal);
  const connections = peakConnections(lab, stop.signal);
  const runId = `e2e-${method}-${Date.now()}`;
  const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_apply_method: method }));
  stop.abort();
  const [sent, db] = await Promise.all([traffic, connections]);

  assertRunSucceeded(t, run, `the playbook succeeds (${method})`);
  t.ok(sent.ok > 100, `traffic flowed during the change (${sent.ok} ok)`);
  t.equal(sent.failed, 0, 'zero failed requests through HAProxy', { failures: sent.failures.slice(0, 5) });
  await assertLbReady(t, lab);
  await assertWritesExactlyOnce(t, lab, sent);

  const pools = await readPools(lab);
  for (const [name, p] of pools)
    t.same([p.pool.max, p.pool.min], [200, 20], `${name} runs max 200 / min 20 (read back)`);
  // Budget: every instance at the new max, plus one instance's old pool still draining, plus poolgate's probes.
  const budget = 4 * 200 + 50 + 20;
  t.ok(
    db.samples > 10 && db.peak <= budget,
    `PostgreSQL connections peaked at ${db.peak} ≤ ${budget} (${db.samples} samples)`,
  );

  const pidsAfter = await pids(lab);
  if (method === 'sighup') t.same(pidsAfter, pidsBefore, 'SIGHUP reloads in place: no instance restarted');
  else for (const name of Object.keys(pidsBefore)) t.not(pidsAfter[name], pidsBefore[name], `${name} was restarted`);

  const dir = evidenceDirOf(runId);
  const files = fs.readdirSync(dir);
  for (const re of [
    /^plan\.json$/,
    /^events\.jsonl$/,
    /^preflight_/,
    /^pre_change_snapshot_/,
    /^verify_/,
    /^post_change_load_test\.json$/,
    /^analysis_/,
    /^monitor_\d/,
    /^pool_scaling_verification_.*\.md$/,
    /^report\.json$/,
    /^manifest\.sha256$/,
  ]) {
    t.ok(
      files.some((f) => re.test(f)),
      `evidence has ${re.source}`,
    );
  }
  t.same(evidenceProblems(dir), [], 'every evidence file validates against its schema');
  // Step 5 at the traffic the snapshot measured, and the report says so (docs/load-test.md).
  const loadtest = JSON.parse(fs.readFileSync(path.join(dir, 'post_change_load_test.json'), 'utf8')) as LoadtestResult;
  const baseline = loadtest.load_level.baseline;
  t.ok(
    baseline && baseline.requests_per_s > 0,
    `the load test had the baseline's traffic: ${baseline?.requests_per_s} req/s`,
  );
  t.ok(
    loadtest.config.rate_per_s! >= Math.max(baseline?.requests_per_s ?? 0, 100 / 5) - 0.01,
    `its rate ${loadtest.config.rate_per_s}/s is at least the baseline's (and 100 requests in 5 s)`,
  );
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as VerificationReport;
  t.equal(report.loadtest.baseline_rate_per_s, baseline?.requests_per_s, "the report states the baseline's traffic");
  t.match(report.loadtest.load_level, /req\/s = \d+\.\d\d × the baseline's/, `report: ${report.loadtest.load_level}`);
  t.ok(await evidenceVerifies(dir), 'the manifest verifies');
  const started = events(dir).find((e) => e.action === 'run_started');
  t.match(
    started,
    { operator: String, git_commit: /^[0-9a-f]{40}$/, git_dirty: Boolean },
    'the run records operator, commit and dirty flag',
  );
  const verified = events(dir)
    .filter((e) => e.action === 'verified')
    .map((e) => e.host);
  t.same([...verified].sort(), lab.instances.map((i) => i.name).sort(), 'each instance was read back after its change');

  if (!rerun) return;
  const hashes = configHashes(lab);
  const generations = [...pools.values()].map((p) => p.generation);
  const again = await runPlaybook(
    'pool-scaling.yml',
    runVars(lab, `${runId}-again`, { pool_scaling_apply_method: method }),
  );
  t.equal(again.code, 0, 'the second run succeeds');
  await assertLbReady(t, lab, 'after the second run');
  t.match(again.stdout, /Already at target, nothing to change/, 'the second run says there is nothing to change');
  t.notMatch(
    again.stdout,
    /(standby|primary)-\d\s*:\s*ok=\d+\s+changed=[1-9]/,
    'the second run changes nothing on any host',
  );
  t.same(configHashes(lab), hashes, 'no config file was rewritten');
  t.same(
    [...(await readPools(lab)).values()].map((p) => p.generation),
    generations,
    'no instance reloaded',
  );
}
