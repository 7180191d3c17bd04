import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../../scripts/lib/paths';

t.test('the reference service refuses to start on a malformed value, before it listens', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-stop-grace-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'service.log');
  const r = spawnSync(
    process.execPath,
    [
      path.join(packageRoot, 'dist', 'lab', 'service', 'main.js'),
      ...['--name', 'grace-1', '--host', '127.0.0.1', '--port', '9', '--config', path.join(dir, 'pool.json')],
      ...['--log', log],
    ],
    { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, POOLGATE_STOP_GRACE_MS: '1.5s' } },
  );
  t.equal(r.status, 2, 'exit 2');
  t.match(r.stderr, /POOLGATE_STOP_GRACE_MS must be a whole number of milliseconds \(e\.g\. 1500\), got "1\.5s"/);
  const events = fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { event: string }).event);
  t.same(events, ['service_start', 'service_start_failed'], 'the refusal is in its log too, and nothing else ran');
});
