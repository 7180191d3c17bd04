import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { assertLbReady, assertWritesExactlyOnce, useLab } from '../helpers/lab';
import { packageRoot } from '../../scripts/lib/paths';
import { evidenceFile, newestOf, type EvidenceKindName } from '../../scripts/lib/run-evidence';
import {
  configHashes,
  events,
  evidenceProblems,
  labctl,
  pids,
  readPools,
  restoreBaseline,
  runPlaybook,
  runVars,
  trafficUntil,
  waitFor,
} from './rollout-helpers';

// A whole rollout on a shared 2-core machine takes minutes: more than the suite's default per-file timeout.
t.setTimeout(1_800_000);

const FROM = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const TO = { ...FROM, min: 20, max: 200 };

/**
 * The lab's inventory in a git repository of its own (outside this checkout, so the revert poolgate prepares lands
 * there): a first commit at the old values, the change in its own commit, an unrelated commit on top (so HEAD, what
 * run_started records as git_commit, is not the change's commit).
 */
function inventoryRepo(): { dir: string; inventory: string; git: (...a: string[]) => string; changeCommit: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-e2e-inventory-'));
  fs.cpSync(path.join(packageRoot, 'inventory', 'lab'), path.join(dir, 'inventory', 'lab'), { recursive: true });
  // The lab's inventory script finds the lab from its own checkout: the copy asks the one in this checkout.
  fs.writeFileSync(
    path.join(dir, 'inventory', 'lab', 'lab-config'),
    `#!/bin/sh\nexec '${path.join(packageRoot, 'inventory', 'lab', 'lab-config')}' "$@"\n`,
    { mode: 0o755 },
  );
  const git = (...a: string[]): string =>
    execFileSync('git', ['-C', dir, ...a], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'e2e',
        GIT_AUTHOR_EMAIL: 'e2e@example.test',
        GIT_COMMITTER_NAME: 'e2e',
        GIT_COMMITTER_EMAIL: 'e2e@example.test',
      },
    }).toString();
  const change = path.join(dir, 'inventory', 'lab', 'group_vars', 'all', 'change.yml');
  const text = fs.readFileSync(change, 'utf8');
  const at = (pool: typeof FROM): string =>
    text.replace(
      /^pool_scaling_to:\n(?: {2}.*\n)+/m,
      `pool_scaling_to:\n${Object.entries(pool)
        .map(([k, v]) => `  ${k}: ${v}\n`)
        .join('')}`,
    );
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(change, at(FROM));
  git('add', '-A');
  git('commit', '-q', '-m', 'The lab inventory at the runbook v1.0.0 values');
  fs.writeFileSync(change, at(TO));
  git('commit', '-q', '-am', 'Scale the pool: max 50 -> 200, min 10 -> 20 (runbook v1.0.1)');
  const changeCommit = git('rev-parse', 'HEAD').trim();
  fs.writeFileSync(path.join(dir, 'README.md'), 'the lab inventory, for the rollback test\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'A later, unrelated commit');
  return { dir, inventory: path.join(dir, 'inventory', 'lab'), git, changeCommit };
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const newest = (dir: string, kind: EvidenceKindName): string | undefined => newestOf(dir, kind) ?? undefined;

// A primary that fails after the standbys changed: primary-1 is stopped the moment both primaries are drained
// (so its SIGHUP, or its health check, fails in phase 5). The play must roll every changed host back by the
// zero-downtime path, read back max 50 / min 10 on all four, watch the fleet return to its baseline, judge the
// rollback's time, prepare the inventory's revert, write the incident and the report, and end FAILED — with no
// failed request from the traffic flowing through HAProxy all along. Then: the same change again is refused, a
// retry with a reason is not, rollback.yml watches too, and once the revert is merged the repository agrees with
// the fleet.
void t.test('a primary failing after the standbys changed rolls everything back', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const repo = inventoryRepo();
  t.teardown(() => fs.rmSync(repo.dir, { recursive: true, force: true }));
  const headBefore = repo.git('rev-parse', 'HEAD').trim();
  // An evidence root of its own: the change history judges "the last run on this fleet" from the runs in the root,
  // and the suite's other tests roll this same change back on purpose on the same slot (rollout-rollback-restart,
  // the fault tests). Kept when the test fails.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-e2e-rollback-evidence-'));
  t.teardown(() => (t.passing() ? fs.rmSync(root, { recursive: true, force: true }) : t.comment(`evidence: ${root}`)));
  const evidenceDirOf = (id: string): string => path.join(root, id);
  // The inventory's own change this time (no retry reason, a revert prepared): only the lab-sized durations.
  const vars = (runId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const v = runVars(lab, runId);
    delete v.pool_scaling_retry_reason;
    delete v.pool_scaling_prepare_revert;
    return { ...v, pool_scaling_evidence_root: root, ...extra };
  };

  const runId = `e2e-rollback-${Date.now()}`;
  const dir = evidenceDirOf(runId);
  const stop = new AbortController();
  const traffic = trafficUntil(lab.haproxy.url, stop.signal);
  let stoppedAt = '';
  const fault = (async () => {
    await waitFor(
      async () =>
        fs.existsSync(path.join(dir, 'events.jsonl')) &&
        events(dir).some((e) => e.host === 'primary-2' && e.action === 'lb_drain'),
      300_000,
      'both primaries drained',
    );
    stoppedAt = new Date().toISOString();
    await labctl('stop', 'primary-1');
  })();
  const run = await runPlaybook('pool-scaling.yml', vars(runId, { pool_scaling_apply_method: 'sighup' }), [], 900_000, {
    inventory: repo.inventory,
  });
  stop.abort();
  await fault;
  const sent = await traffic;

  t.ok(stoppedAt, 'primary-1 was stopped after the standbys changed and the primaries drained');
  t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-3000) });
  t.match(run.stdout, /ROLLED BACK/, 'it says it rolled back');
  await assertLbReady(t, lab, 'after the rollback');
  const pools = await readPools(lab);
  for (const [name, p] of pools)
    t.same([p.pool.max, p.pool.min], [50, 10], `${name} runs max 50 / min 10 again (read back)`);
  t.equal(sent.failed, 0, 'zero failed requests through HAProxy', { failures: sent.failures.slice(0, 5) });
  t.ok(sent.ok > 50, `traffic flowed throughout (${sent.ok} ok)`);
  await assertWritesExactlyOnce(t, lab, sent);

  const incidents = fs.existsSync(path.join(dir, 'incidents')) ? fs.readdirSync(path.join(dir, 'incidents')) : [];
  t.ok(
    incidents.some((f) => /_pool_scaling_incident\.md$/.test(f)),
    'the incident file exists',
  );
  t.match(
    fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'),
    /primary-1/,
    'rollback_log.txt names the failing host',
  );
  // The failed step's own result names its trigger (pool_config: the stage that failed), never a task's name.
  const started = events(dir).find((e) => e.action === 'rollback_started');
  t.match(
    started?.trigger,
    /^(apply_failed|health_check_failed|config_not_in_force)$/,
    'the failed step named its trigger',
  );
  t.match(
    fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'),
    new RegExp(`trigger: ${started?.trigger}, severity: P[12]`),
    'the incident carries that trigger and its severity',
  );
  const rolled = events(dir).find((e) => e.action === 'rollback_verified');
  t.ok(rolled, 'the rollback read back every instance');
  t.ok(fs.existsSync(path.join(dir, 'manifest.sha256')), 'the evidence is sealed');
  t.same(evidenceProblems(dir), [], 'every evidence file validates against its schema');
  const incidentText = (): string =>
    fs.readFileSync(
      path.join(
        dir,
        'incidents',
        incidents.find((f) => f.endsWith('.md'))!,
      ),
      'utf8',
    );

  await t.test('the run recorded the commit that carried the change, not only HEAD', async (t) => {
    const started = events(dir).find((e) => e.action === 'run_started')!;
    const located = events(dir).find((e) => e.action === 'change_located')!;
    t.equal(started.git_commit, headBefore, 'git_commit is HEAD when the run started');
    t.match(located, { change_commit: repo.changeCommit, file: 'inventory/lab/group_vars/all/change.yml' });
    t.not(located.change_commit, started.git_commit, 'the change was not made by HEAD');
  });

  await t.test('the watch after the rollback judged the return to baseline', async (t) => {
    const file = newest(dir, 'rollback_watch');
    t.ok(file, 'post_rollback_watch_<ts>.json is in the evidence');
    const w = readJson<{
      verdict: string;
      baseline: { file: string };
      samples: { total: number; judged: number };
      checks: Array<{ id: string; verdict: string; shown: string }>;
      message: string;
    }>(path.join(dir, file!));
    t.comment(w.checks.map((c) => `${c.verdict} ${c.id}: ${c.shown}`).join('\n'));
    t.equal(w.verdict, 'PASS', w.message);
    t.match(w.baseline.file, /^pre_change_snapshot_\d{8}T\d{6}Z\.json$/, "judged against the run's own baseline");
    t.ok(fs.existsSync(path.join(dir, w.baseline.file)));
    t.same(
      w.checks.map((c) => [c.id, c.verdict]),
      [
        ['pool', 'PASS'],
        ['error_rate', 'PASS'],
        ['p95_ms', 'PASS'],
        ['pool_utilization', 'PASS'],
        ['acquire_wait_p95_ms', 'PASS'],
        ['db_connections', 'PASS'],
      ],
    );
    t.equal(w.samples.total, 13, '12 s sampled every second');
    t.equal(w.samples.judged, 9, 'after the 4 s of settling');
    const lines = fs
      .readFileSync(path.join(dir, evidenceFile('rollback_watch_samples')), 'utf8')
      .trim()
      .split('\n');
    t.equal(lines.length, 13, 'every sample of the watch is in post_rollback_samples.jsonl');
    const incident = incidentText();
    t.match(
      incident,
      /## Return to baseline \(rollback step 4: .*\)\n- PASS: back at baseline: every figure within its tolerance/,
    );
    t.match(incident, /\*\*After the rollback\*\*: PASS: back at baseline/);
  });

  await t.test("the rollback's time was judged in the incident, the report and the HTML", async (t) => {
    const incident = incidentText();
    const m =
      /\*\*Rollback time\*\*: (\d+m \d+s|\d+(\.\d+)?s) from the trigger \((.*?)\) to every host read back \((\S+)\) — bound 10m, .*: (PASS|FAIL)/.exec(
        incident,
      );
    t.ok(m, 'the incident has the rollback time');
    t.equal(m?.[5], 'PASS', `${m?.[1]} is within the runbook's 10 minutes`);
    t.equal(m?.[4], rolled?.at, 'up to the read-back of every host');
    const report = readJson<{
      decision: string;
      rollback: {
        outcome: string;
        timing: { verdict: string; seconds: number; max_s: number };
        watch: { verdict: string };
      };
    }>(path.join(dir, 'report.json'));
    t.equal(report.decision, 'ROLLBACK');
    t.match(report.rollback, {
      outcome: 'VERIFIED',
      timing: { verdict: 'PASS', max_s: 600 },
      watch: { verdict: 'PASS' },
    });
    t.ok(
      report.rollback.timing.seconds > 0 && report.rollback.timing.seconds < 600,
      `${report.rollback.timing.seconds} s`,
    );
    const md = fs.readFileSync(path.join(dir, newest(dir, 'report_markdown')!), 'utf8');
    t.match(
      md,
      /## Rollback\n- Reason: .*\n- Outcome: VERIFIED: every host read back at the old values\n- Rollback time: .*: PASS\n- Return to baseline .*: PASS: back at baseline/,
    );
    const html = fs.readFileSync(path.join(dir, newest(dir, 'report_html')!), 'utf8');
    t.match(html, /data-rollback-time="PASS"/);
    t.match(html, /data-rollback-watch="PASS"/);
  });

  await t.test('a revert that makes the repository agree was prepared on a branch, never pushed', async (t) => {
    const r = readJson<{ status: string; branch: string; commit: string; change_commit: string; publish: string[] }>(
      path.join(dir, 'revert.json'),
    );
    t.match(r, { status: 'prepared', branch: `poolgate/revert-${runId}`, change_commit: repo.changeCommit });
    t.equal(repo.git('rev-parse', 'HEAD').trim(), headBefore, "the inventory's HEAD did not move");
    t.equal(repo.git('status', '--porcelain'), '', 'its working tree is untouched');
    t.equal(repo.git('rev-parse', `refs/heads/${r.branch}`).trim(), r.commit);
    t.equal(repo.git('rev-parse', `${r.commit}^`).trim(), headBefore, 'made on HEAD');
    const changed = parse(repo.git('show', `${r.commit}:inventory/lab/group_vars/all/change.yml`)) as Record<
      string,
      unknown
    >;
    t.same(changed.pool_scaling_to, FROM, 'pool_scaling_to = what the fleet runs again');
    t.same(r.publish, [`git -C ${repo.dir} merge --ff-only ${r.branch}`], 'no remote: how to publish it locally');
    t.match(run.stdout, /the revert is prepared on branch/, 'the run says so');
    t.ok(run.stdout.includes(`merge --ff-only ${r.branch}`), 'and how to publish it');
  });

  await t.test(
    'the same change again is refused before any host is touched, naming the run and its reason',
    async (t) => {
      const [hashes, before] = [configHashes(lab), await pids(lab)];
      const again = await runPlaybook('pool-scaling.yml', vars(`${runId}-again`), [], 600_000, {
        inventory: repo.inventory,
      });
      t.not(again.code, 0);
      await assertLbReady(t, lab, 'after the refused repeat');
      t.match(
        again.stdout,
        new RegExp(
          `REFUSED before any change: .*run ${runId} ROLLED BACK this same change \\(max 50 → 200, min 10 → 20\\): .*primary-1.*pool_scaling_retry_reason`,
          's',
        ),
      );
      t.same(configHashes(lab), hashes, 'no config file changed');
      t.same(await pids(lab), before, 'no instance restarted');

      const retried = await runPlaybook(
        'pool-scaling.yml',
        vars(`${runId}-retry`, { pool_scaling_retry_reason: 'e2e: primary-1 was stopped on purpose, it runs again' }),
        ['--tags', 'preflight'],
        600_000,
        { inventory: repo.inventory },
      );
      t.equal(retried.code, 0, 'an explicit retry with a reason is let through (here to preflight only)', {
        stdout: retried.stdout.slice(-2000),
      });
      await assertLbReady(t, lab, 'after the preflight-only retry');
      t.match(
        events(evidenceDirOf(`${runId}-retry`)).find((e) => e.action === 'retry_after_rollback'),
        { retry_of: runId, reason: 'e2e: primary-1 was stopped on purpose, it runs again' },
        "the operator's reason is in the evidence",
      );
      t.same(configHashes(lab), hashes, 'a preflight-only run changes nothing');
    },
  );

  await t.test('rollback.yml watches the return to baseline too, and judges its time from its start', async (t) => {
    // traffic, as in production: a watch without requests cannot compare an error rate (it says "not judged")
    const stopManual = new AbortController();
    const manualTraffic = trafficUntil(lab.haproxy.url, stopManual.signal);
    const manual = await runPlaybook(
      'rollback.yml',
      {
        rollback_run_id: runId,
        rollback_reason: 'e2e: the manual path after the automatic one',
        pool_scaling_evidence_root: root,
        pool_scaling_rollback: {
          max_s: 600,
          watch: { duration_s: 12, interval_s: 1, settle_s: 4, tolerance: { p95_ms: 100 } },
        },
        pool_scaling_prepare_revert: false,
      },
      [],
      600_000,
      { inventory: repo.inventory },
    );
    stopManual.abort();
    const manualSent = await manualTraffic;
    t.equal(manualSent.failed, 0, 'zero failed requests during the manual rollback');
    t.equal(manual.code, 0, 'rollback.yml succeeds', { stdout: manual.stdout.slice(-2000) });
    await assertLbReady(t, lab, 'after rollback.yml');
    await assertWritesExactlyOnce(t, lab, manualSent);
    const mdir = /evidence: ([^\s'"]+)/.exec(manual.stdout)?.[1];
    t.ok(mdir && fs.existsSync(mdir), `its own evidence folder (${mdir})`);
    const w = readJson<{ verdict: string; baseline: { file: string } }>(
      path.join(mdir!, newest(mdir!, 'rollback_watch')!),
    );
    t.equal(w.verdict, 'PASS');
    t.ok(fs.existsSync(path.join(dir, w.baseline.file)), "judged against the change run's baseline");
    const report = readJson<{ rollback: { timing: { trigger: string; verdict: string } } }>(
      path.join(mdir!, 'report.json'),
    );
    t.match(report.rollback.timing, { trigger: /manual rollback was started/, verdict: 'PASS' });
  });

  await t.test('once the revert is merged, the repository agrees with the fleet: nothing to change', async (t) => {
    const r = readJson<{ branch: string }>(path.join(dir, 'revert.json'));
    repo.git('merge', '-q', '--ff-only', r.branch);
    const agree = await runPlaybook('pool-scaling.yml', vars(`${runId}-agree`), [], 600_000, {
      inventory: repo.inventory,
    });
    t.equal(agree.code, 0, { stdout: agree.stdout.slice(-2000) });
    await assertLbReady(t, lab, 'after the run with nothing to change');
    t.match(agree.stdout, /Already at target, nothing to change/);
  });
});
