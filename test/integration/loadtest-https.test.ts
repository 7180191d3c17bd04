import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../scripts/lib/paths';
import { runCli } from './cli-support';

const LEDGER = path.join(packageRoot, 'lab', 'scenarios', 'ledger.yml');

/**
 * An https entry point goes through undici (plain http through socket-transport.ts): a real TLS server with a
 * throwaway certificate for this slot's loopback address, trusted by the CLI through NODE_EXTRA_CA_CERTS.
 */
const slot = Number(process.env.POOLGATE_LAB_SLOT ?? '0');
const HOST = `127.0.${slot}.62`;

t.test('a closed-loop load test over https', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-https-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=poolgate-test',
      '-addext',
      `subjectAltName=IP:${HOST}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );

  let requests = 0;
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    requests++;
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/api/accounts' ? '[]' : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `https://${HOST}:${(server.address() as AddressInfo).port}`;
  const out = path.join(dir, 'result.json');

  const run = await runCli(
    [
      'loadtest',
      '--url',
      url,
      '--mode',
      'closed',
      '--concurrency',
      '4',
      '--requests',
      '200',
      '--duration',
      '20s',
      '--scenario',
      LEDGER,
      '--mix',
      'accounts=1',
      '--output',
      out,
    ],
    { NODE_EXTRA_CA_CERTS: cert },
  );
  t.equal(run.code, 0, run.stderr);
  const result = JSON.parse(fs.readFileSync(out, 'utf8')) as {
    requests: { sent: number; ok: number; failed: number };
    outcome: { stop_reason: string };
  };
  t.same(result.requests, { ...result.requests, sent: 200, ok: 200, failed: 0 }, 'every request answered over TLS');
  t.equal(result.outcome.stop_reason, 'requests');
  t.equal(requests, 204, 'the server saw the 4 warm-up requests and the 200');

  const untrusted = await runCli([
    'loadtest',
    '--url',
    url,
    '--mode',
    'closed',
    '--concurrency',
    '2',
    '--requests',
    '10',
    '--duration',
    '10s',
    '--scenario',
    LEDGER,
    '--mix',
    'accounts=1',
    '--output',
    path.join(dir, 'untrusted.json'),
  ]);
  t.not(untrusted.code, 0, 'without the CA the certificate is refused');
  t.match(untrusted.stdout + untrusted.stderr, /unreachable|certificate/i, 'and the reason is given');
});
