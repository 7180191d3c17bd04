import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { labConfig } from '../../lab/lab-config';
import { runCli } from './cli-support';

/**
 * poolgate notify against a real local receiver on the slot's loopback net (no lab needed): delivered, refused
 * with a non-2xx, unreachable and hanging webhooks. Whatever happens the command exits 0, records the attempt in
 * notifications.jsonl, and the URL's token appears nowhere: not on stdout, stderr, nor in any evidence file.
 */
const TOKEN = 'T0KEN-s3cr3t-4b9f2c7e';
const fixture = path.join(__dirname, '..', 'fixtures', 'evidence-run', 'success');
const RUN_ID = (JSON.parse(fs.readFileSync(path.join(fixture, 'plan.json'), 'utf8')) as { run_id: string }).run_id;
const host = `${labConfig().net}.40`;

function evidenceCopy(t: Test): string {
  const dir = t.testdir({});
  // the run's own announcements stay behind: each test reads the records it makes
  for (const f of fs.readdirSync(fixture).filter((x) => x !== 'notifications.jsonl'))
    fs.copyFileSync(path.join(fixture, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'pool_scaling_verification_20261130T180657Z.html'), '<!DOCTYPE html>');
  return dir;
}

interface Receiver {
  url: string;
  bodies: unknown[];
}

async function receiver(t: Test, status: number | 'hang'): Promise<Receiver> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push({ path: req.url, type: req.headers['content-type'], json: JSON.parse(body) as unknown });
      if (status !== 'hang') res.writeHead(status).end(status === 200 ? 'ok' : 'no_service');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://${host}:${(server.address() as AddressInfo).port}/services/${TOKEN}?token=${TOKEN}`, bodies };
}

function assertNoToken(t: Test, dir: string, out: { stdout: string; stderr: string }): void {
  t.notOk(out.stdout.includes(TOKEN), 'token not on stdout');
  t.notOk(out.stderr.includes(TOKEN), 'token not on stderr');
  for (const f of fs.readdirSync(dir))
    t.notOk(fs.readFileSync(path.join(dir, f), 'utf8').includes(TOKEN), `token not in ${f}`);
}

const records = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'notifications.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

t.test('delivered: a Slack-compatible message with the run, event, verdict and report path', async (t) => {
  const dir = evidenceCopy(t);
  const rx = await receiver(t, 200);
  // The URL file lives outside the evidence folder, like /etc/poolgate/webhook would.
  const secrets = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-hook-'));
  t.teardown(() => fs.rmSync(secrets, { recursive: true, force: true }));
  const urlFile = path.join(secrets, 'hook');
  fs.writeFileSync(urlFile, `${rx.url}\n`, { mode: 0o600 });
  const out = await runCli([
    'notify',
    '--event',
    'success',
    '--evidence-dir',
    dir,
    '--webhook-url-file',
    urlFile,
    '--json',
  ]);
  t.equal(out.code, 0);
  t.equal(rx.bodies.length, 1);
  const got = rx.bodies[0] as { path: string; type: string; json: { text: string; blocks: { type: string }[] } };
  t.equal(got.type, 'application/json');
  t.equal(got.path, `/services/${TOKEN}?token=${TOKEN}`, 'the receiver got the full URL');
  t.match(got.json.text, new RegExp(`poolgate success: SUCCESS — run ${RUN_ID}`));
  t.match(got.json.text, /pool_scaling_verification_20261130T180657Z\.html/);
  t.same(
    got.json.blocks.map((b) => b.type),
    ['header', 'section', 'context'],
  );
  t.match(JSON.stringify(got.json.blocks), /Verdict\*\\nSUCCESS/);
  const [rec] = records(dir);
  t.match(rec, {
    event: 'success',
    ok: true,
    status: 200,
    target: `http://${host}:${new URL(rx.url).port}/…`,
    run_id: RUN_ID,
  });
  t.same(out.json, rec, '--json prints the record');
  assertNoToken(t, dir, out);
});

t.test('non-2xx: reported on stderr, recorded, exit 0', async (t) => {
  const dir = evidenceCopy(t);
  const rx = await receiver(t, 500);
  const out = await runCli(
    ['notify', '--event', 'gate_failed', '--evidence-dir', dir, '--detail', 'verify: p95 regressed on primary-1'],
    { POOLGATE_WEBHOOK_URL: rx.url },
  );
  t.equal(out.code, 0);
  t.match(out.stderr, /NOT DELIVERED \(gate_failed to http:\/\/127\.0\.\d+\.40:\d+\/…\): HTTP 500/);
  t.match((rx.bodies[0] as { json: { text: string } }).json.text, /GATE FAILED.*verify: p95 regressed on primary-1/);
  t.match(records(dir)[0], { event: 'gate_failed', ok: false, status: 500, error: 'HTTP 500' });
  assertNoToken(t, dir, out);
});

t.test('unreachable: refused, recorded, exit 0 (URL given on the command line is still never printed)', async (t) => {
  const dir = evidenceCopy(t);
  // A port nobody listens on: bind one, note it, close it.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const out = await runCli([
    'notify',
    '--event',
    'rollback',
    '--evidence-dir',
    dir,
    '--webhook-url',
    `http://${host}:${port}/hooks/${TOKEN}`,
  ]);
  t.equal(out.code, 0);
  t.match(out.stderr, /NOT DELIVERED.*ECONNREFUSED/);
  t.match(records(dir)[0], { event: 'rollback', ok: false, error: 'ECONNREFUSED' });
  assertNoToken(t, dir, out);
});

t.test('a receiver that never answers: given up within the timeout, exit 0', async (t) => {
  const dir = evidenceCopy(t);
  const rx = await receiver(t, 'hang');
  const out = await runCli(['notify', '--event', 'start', '--evidence-dir', dir, '--timeout-ms', '800'], {
    POOLGATE_WEBHOOK_URL: rx.url,
  });
  t.equal(out.code, 0);
  const [rec] = records(dir);
  t.match(rec, { event: 'start', ok: false, error: 'timeout after 800 ms' });
  t.ok((rec!.elapsed_ms as number) >= 750 && (rec!.elapsed_ms as number) < 1500, `gave up at ${rec!.elapsed_ms} ms`);
  t.equal(rx.bodies.length, 1, 'the hanging receiver did get the message');
  assertNoToken(t, dir, out);
});

t.test('a timeout over 3 s is refused as bad input before anything is sent', async (t) => {
  const dir = evidenceCopy(t);
  const out = await runCli(['notify', '--event', 'start', '--evidence-dir', dir, '--timeout-ms', '10000'], {
    POOLGATE_WEBHOOK_URL: `http://${host}:9/${TOKEN}`,
  });
  t.equal(out.code, 2);
  t.notOk(fs.existsSync(path.join(dir, 'notifications.jsonl')));
});
