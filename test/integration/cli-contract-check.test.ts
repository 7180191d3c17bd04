import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import t, { type Test } from 'tap';
import { labConfig } from '../../lab/lab-config';
import { isValid } from '../../scripts/lib/schema';
import { useLab } from '../helpers/lab';
import { labPlan, runCli, writePlan } from './cli-support';

/**
 * `poolgate contract check` against the real reference service on the lab (also through a reload), a server that
 * answers 200 to everything with a fixed body, a closed port and bad input; and preflight refusing a plan whose
 * target does not conform.
 */
const lab = labConfig(process.env);
const standby = lab.instances.find((i) => i.name === 'standby-2')!;

/** A "service" that answers 200 and the same body to every request. */
async function fixedBody(tt: Test): Promise<string> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  const host = `${lab.net}.95`;
  await new Promise<void>((resolve) => server.listen(3999, host, resolve));
  tt.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://${host}:3999`;
}

t.before(async () => {
  await useLab(t);
});

t.test('the reference service conforms, and a reload is a new generation with the same pool', async (tt) => {
  const dir = tt.testdir({});
  // Other bytes, same settings: appending a newline makes a reload that changes nothing but the file's sha256.
  const reload = `echo >> ${standby.configPath} && ${path.resolve('lab/bin/labctl')} hup {name}`;
  const r = await runCli(
    [
      'contract',
      'check',
      '--url',
      standby.url,
      '--name',
      standby.name,
      '--reload-cmd',
      reload,
      '--json',
      '--evidence-dir',
      dir,
    ],
    { POOLGATE_LAB_SLOT: String(lab.slot) },
  );
  tt.equal(r.code, 0, r.stdout.slice(0, 2000));
  tt.ok(isValid('contract-check-result', r.json), 'the --json output is schema-valid');
  const items = (r.json!.items as { id: string; verdict: string }[]).map((i) => `${i.id} ${i.verdict}`);
  for (const id of [
    'endpoint:standby-2:health',
    'counters:standby-2',
    'plausible:standby-2',
    'reload:standby-2:generation',
    'reload:standby-2:same-pool',
    'reload:standby-2:nothing-lost',
  ])
    tt.ok(items.includes(`${id} PASS`), `${id} PASS`);
  const evidence = fs.readdirSync(dir).filter((f) => /^contract_check_\d{8}T\d{6}Z\.json$/.test(f));
  tt.equal(evidence.length, 1, 'an evidence file');
  tt.ok(isValid('contract-check-result', JSON.parse(fs.readFileSync(path.join(dir, evidence[0]!), 'utf8'))));
});

t.test('every target of a plan, or one named by --target', async (tt) => {
  const dir = tt.testdir({});
  const plan = writePlan(dir, labPlan(lab, dir));
  const all = await runCli(['contract', 'check', '--plan', plan, '--json']);
  tt.equal(all.code, 0, all.stdout.slice(0, 2000));
  tt.same(
    (all.json!.targets as { name: string }[]).map((x) => x.name),
    lab.instances.map((i) => i.name),
  );
  const one = await runCli(['contract', 'check', '--plan', plan, '--target', 'primary-1', '--json']);
  tt.same(
    (one.json!.targets as { name: string }[]).map((x) => x.name),
    ['primary-1'],
  );
  const bad = await runCli(['contract', 'check', '--plan', plan, '--target', 'nope']);
  tt.equal(bad.code, 2);
  tt.match(bad.stderr, /--target nope: not a target of/);
});

t.test('a server answering 200 with a fixed body fails with a clear line per item', async (tt) => {
  const url = await fixedBody(tt);
  const r = await runCli(['contract', 'check', '--url', url, '--name', 'fixed']);
  tt.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  // {"status":"ok"} is a valid /health answer: what fails is everything else, one line each.
  tt.match(lines, [
    /^FAIL GET \/api\/health\/metrics fixed: schema: \(root\): missing required key "timestamp"/,
    /^FAIL GET \/api\/health\/pool-config fixed: schema: \(root\): missing required key "instance"/,
    /^FAIL GET \/metrics fixed: content type "application\/json", expected text\/plain; no poolgate_pool_max series/,
    /^FAIL: 3 of 4 items on 1 target\(s\) do not conform/,
  ]);
  tt.equal(lines.length, 4, 'nothing else printed');
  const json = await runCli(['contract', 'check', '--url', url, '--json']);
  tt.ok(isValid('contract-check-result', json.json));
  tt.equal(json.json!.verdict, 'FAIL');
});

t.test('a closed port is "could not measure" (exit 3), bad input exit 2', async (tt) => {
  const closed = await runCli(['contract', 'check', '--url', `http://${lab.net}.96:3999`]);
  tt.equal(closed.code, 3);
  tt.match(closed.stdout, /COULD NOT MEASURE reachable .*ECONNREFUSED/);
  tt.match(closed.stdout, /COULD NOT MEASURE: could not reach/);
  for (const args of [
    [],
    ['--url', 'not a url'],
    ['--url', standby.url, '--interval-ms', '0'],
    ['--url', standby.url, '--plan', 'x.json'],
  ]) {
    const r = await runCli(['contract', 'check', ...args]);
    tt.equal(r.code, 2, `exit 2 for ${args.join(' ') || '(nothing)'}: ${r.stderr.trim()}`);
  }
});

t.test('preflight refuses a plan whose target does not conform, before anything is touched', async (tt) => {
  const url = await fixedBody(tt);
  const dir = tt.testdir({});
  const plan = labPlan(lab, dir);
  (plan.targets as { name: string; url: string }[])[0]!.url = url;
  const r = await runCli(['preflight', '--plan', writePlan(dir, plan), '--evidence-dir', dir, '--json']);
  tt.equal(r.code, 1);
  const items = r.json!.items as { id: string; verdict: string; detail?: string }[];
  const contract = items.filter((i) => i.id.startsWith('contract:'));
  tt.equal(contract.length, lab.instances.length, 'one contract item per target');
  tt.match(contract[0], { verdict: 'FAIL', detail: /GET \/api\/health\/metrics .*: .*missing required key/ });
  tt.same(
    contract.slice(1).map((i) => i.verdict),
    lab.instances.slice(1).map(() => 'PASS'),
    'the real instances conform',
  );
});
