import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { writeManifest } from '../../scripts/lib/evidence';
import { assertLbReady, readPassword, useLab } from '../helpers/lab';
import { evidenceDirOf, restoreBaseline, runPlaybook, runVars } from '../e2e/rollout-helpers';
import { BUDGET_CHANGE, assertPools, assertTraffic, poolgate, tail, watch } from './fault-helpers';

t.setTimeout(900_000);

// A real rollout (verbose Ansible output) under traffic, then every place a secret could leak is searched for the
// lab's database passwords: every process's command line, sampled every 100 ms during the run; the run's
// evidence; every file the lab writes (instances' service.log, supervisord's logs, HAProxy's, PostgreSQL's log);
// and Ansible's own output. The secrets folder itself, PostgreSQL's data files and the database dumps are not
// logs and are left out. The same run's folder then proves the manifest catches a changed, missing or added file.

/** Every regular file below `dir`, except the folders named in `skip` (absolute paths). */
function filesBelow(dir: string, skip: string[]): string[] {
  if (!fs.existsSync(dir) || skip.includes(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return filesBelow(full, skip);
    return d.isFile() ? [full] : [];
  });
}

function leaks(files: string[], secrets: string[]): string[] {
  return files.filter((f) => {
    const text = fs.readFileSync(f, 'latin1');
    return secrets.some((s) => text.includes(s));
  });
}

/** Samples /proc/<pid>/cmdline of every process until stopped; returns the pids whose command line held a secret. */
function scanCommandLines(
  secrets: string[],
  stop: AbortSignal,
): Promise<{ scans: number; processes: number; leaked: string[] }> {
  return (async () => {
    const seen = new Set<string>();
    const leaked: string[] = [];
    let scans = 0;
    while (!stop.aborted) {
      for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
        let cmd: string;
        try {
          cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        const key = `${pid}:${cmd}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (secrets.some((s) => cmd.includes(s))) leaked.push(`${pid}: ${cmd.replace(/\0/g, ' ').slice(0, 120)}`);
      }
      scans += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { scans, processes: seen.size, leaked };
  })();
}

void t.test('no secret in evidence, logs, Ansible output or command lines during a real rollout', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const secrets = [readPassword(lab, 'app'), readPassword(lab, 'monitor')];
  t.ok(
    secrets.every((s) => s.length >= 16),
    'the lab has real passwords to look for',
  );

  const stopScan = new AbortController();
  const scan = scanCommandLines(secrets, stopScan.signal);
  const stop = watch(lab);
  const runId = `fault-secrets-${Date.now()}`;
  const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId), ['-v']);
  const w = await stop();
  stopScan.abort();
  const cmdlines = await scan;

  t.equal(run.code, 0, 'the rollout completes', { out: tail(run) });
  await assertLbReady(t, lab);
  await assertPools(t, lab, 200, 20, 'completed');
  await assertTraffic(t, lab, w, BUDGET_CHANGE);

  t.ok(
    cmdlines.scans > 20 && cmdlines.processes > 50,
    `command lines sampled ${cmdlines.scans} times (${cmdlines.processes} distinct)`,
  );
  t.same(cmdlines.leaked, [], 'no process command line held a password');
  t.notOk(
    secrets.some((s) => (run.stdout + run.stderr).includes(s)),
    'Ansible output (-v) holds no password',
  );

  const dir = evidenceDirOf(runId);
  const evidence = filesBelow(dir, []);
  t.ok(evidence.length > 8, `${evidence.length} evidence files searched`);
  t.same(leaks(evidence, secrets), [], 'no evidence file holds a password');

  const state = lab.stateDir;
  // PostgreSQL's folder may live outside the slot's state (pgRootFor): its log is added by name.
  const logs = [
    ...new Set([
      ...filesBelow(state, [lab.pg.dataDir, path.dirname(lab.pg.appPasswordFile), path.join(state, 'backups')]),
      lab.pg.logPath,
    ]),
  ];
  for (const must of [lab.pg.logPath, ...lab.instances.map((i) => i.logPath)])
    t.ok(logs.includes(must), `${path.relative(state, must)} is searched`);
  t.ok(
    logs.some((f) => /supervisor/.test(f) && f.endsWith('.log')),
    'supervisord logs are searched',
  );
  t.ok(
    logs.some((f) => /haproxy/.test(f)),
    'HAProxy files are searched',
  );
  t.same(leaks(logs, secrets), [], `no lab log or state file (${logs.length}) holds a password`);

  await t.test("the manifest of this run's folder catches a changed, missing and added file", async (t) => {
    const signers = ['--allowed-signers', lab.evidenceSigning.allowedSigners];
    t.equal((await poolgate(['evidence', 'verify', dir, ...signers])).code, 0, 'the sealed, signed folder verifies');
    const tamper = async (what: string, act: (copy: string) => void, says: RegExp): Promise<void> => {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-evidence-'));
      t.teardown(() => fs.rmSync(copy, { recursive: true, force: true }));
      fs.cpSync(dir, copy, { recursive: true });
      act(copy);
      const r = await poolgate(['evidence', 'verify', copy, ...signers]);
      t.not(r.code, 0, `a ${what} file fails verification (exit ${r.code})`);
      t.match(r.stdout + r.stderr, says, `it names the ${what} file`);
    };
    await tamper('changed', (c) => fs.appendFileSync(path.join(c, 'plan.json'), ' '), /plan\.json/);
    await tamper('missing', (c) => fs.rmSync(path.join(c, 'events.jsonl')), /events\.jsonl/);
    await tamper('added', (c) => fs.writeFileSync(path.join(c, 'extra.txt'), 'x'), /extra\.txt/);
    // Issue 16 item 9: edit a file and recompute every hash (as `evidence seal` does, without the operator's key).
    await tamper(
      'changed-then-rehashed',
      (c) => {
        fs.appendFileSync(path.join(c, 'plan.json'), ' ');
        writeManifest(c);
      },
      /signature\s+INVALID/,
    );
  });
});
