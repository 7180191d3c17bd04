import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { MeasureError } from '../../scripts/lib/errors';
import {
  backendServers,
  parseServersState,
  parseShowStat,
  parseSocketSpec,
  setServerState,
} from '../../scripts/lib/haproxy-socket';

// Trimmed from a real HAProxy 2.6 `show stat` (columns cut after "status" plus the ones we read).
const SHOW_STAT = [
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,',
  'public,FRONTEND,,,0,2,262118,40,1,2,0,0,0,,,,,OPEN,,,,',
  'app,standby-1,0,0,0,1,,7,1,2,,0,,0,0,0,0,UP,1,0,1,',
  'app,primary-1,0,0,3,5,,120,1,2,,0,,0,0,0,0,MAINT,1,1,0,',
  'app,BACKEND,0,0,3,5,26212,127,1,2,0,0,,0,0,0,0,UP,2,1,1,',
  '',
].join('\n');

t.test('show stat rows carry status, sessions and backup flag per server', async (t) => {
  const rows = parseShowStat(SHOW_STAT);
  t.equal(rows.length, 4);
  t.match(rows[1], { pxname: 'app', svname: 'standby-1', status: 'UP', scur: 0, stot: 7, bck: 1 });
  t.match(rows[2], { svname: 'primary-1', status: 'MAINT', scur: 3, stot: 120, bck: 0 });
  t.throws(() => parseShowStat('Unknown command.\n'), MeasureError, 'an answer without a header is not a stat table');
});

t.test('show servers state decodes the admin bits into maint and drain', async (t) => {
  const text = [
    '1',
    '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight',
    '3 app 1 standby-1 127.0.2.11 2 0 1',
    '3 app 3 primary-1 127.0.2.21 0 1 1',
    '3 app 4 primary-2 127.0.2.22 2 8 1',
    '',
  ].join('\n');
  const servers = parseServersState(text);
  t.match(servers, [
    { server: 'standby-1', opState: 2, maint: false, drain: false },
    { server: 'primary-1', opState: 0, maint: true, drain: false },
    { server: 'primary-2', opState: 2, maint: false, drain: true },
  ]);
});

/** A one-shot fake of HAProxy's socket: answers each connection with `answer(command)` and closes. */
async function fakeHaproxy(
  t: Test,
  answer: (cmd: string) => string,
  tcp = false,
): Promise<{ socket: string; seen: string[] }> {
  // A short path: unix socket paths are limited to 107 bytes, and tap's testdir names are long.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-hap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  let socket = path.join(dir, 'admin.sock');
  const seen: string[] = [];
  const server = net.createServer((c) =>
    c.once('data', (d) => {
      const cmd = d.toString().trim();
      seen.push(cmd);
      c.end(answer(cmd));
    }),
  );
  if (tcp) {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    socket = `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  } else await new Promise<void>((r) => server.listen(socket, r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { socket, seen };
}

t.test('set server state sends the command and treats any answer as a refusal', async (t) => {
  const { socket, seen } = await fakeHaproxy(t, (cmd) => (cmd.includes('nosuch') ? 'No such server.\n' : '\n'));
  await setServerState(socket, 'app', 'primary-1', 'drain');
  t.same(seen, ['set server app/primary-1 state drain']);
  await t.rejects(setServerState(socket, 'app', 'nosuch', 'maint'), { code: 'E_LB_REFUSED' });
});

t.test('backendServers keeps only the servers of the named backend', async (t) => {
  const { socket } = await fakeHaproxy(t, () => SHOW_STAT);
  const servers = await backendServers(socket, 'app');
  t.same([...servers.keys()], ['standby-1', 'primary-1']);
  await t.rejects(backendServers(socket, 'nope'), { code: 'E_LB_NO_BACKEND' });
});

t.test('an unreachable socket is "could not measure"', async (t) => {
  await t.rejects(backendServers(path.join(t.testdir({}), 'missing.sock'), 'app'), { code: 'E_LB_UNREACHABLE' });
});

t.test('a socket is a path, tcp://host:port (or ipv4@host:port), or ssh://[user@]host[:port]/path', async (t) => {
  t.same(parseSocketSpec('/run/haproxy/admin.sock'), { kind: 'unix', path: '/run/haproxy/admin.sock' });
  t.same(parseSocketSpec('tcp://10.0.0.10:9999'), { kind: 'tcp', host: '10.0.0.10', port: 9999 });
  t.same(parseSocketSpec('ipv4@10.0.0.10:9999'), { kind: 'tcp', host: '10.0.0.10', port: 9999 });
  t.same(parseSocketSpec('ssh://deploy@lb-1:2222/run/haproxy/admin.sock'), {
    kind: 'ssh',
    sudo: false,
    user: 'deploy',
    host: 'lb-1',
    port: 2222,
    path: '/run/haproxy/admin.sock',
  });
  t.same(parseSocketSpec('ssh+sudo://lb-1/run/haproxy/admin.sock'), {
    kind: 'ssh',
    sudo: true,
    host: 'lb-1',
    path: '/run/haproxy/admin.sock',
  });
  t.throws(() => parseSocketSpec('http://lb-1:8404/'), { code: 'E_LB_SOCKET' });
  t.throws(() => parseSocketSpec('ipv6@::1:9999'), { code: 'E_LB_SOCKET' });
});

t.test('a TCP admin socket answers the same commands', async (t) => {
  const { socket, seen } = await fakeHaproxy(t, () => SHOW_STAT, true);
  t.match(socket, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  t.same([...(await backendServers(socket, 'app')).keys()], ['standby-1', 'primary-1']);
  t.same(seen, ['show stat']);
  await t.rejects(backendServers('tcp://127.0.0.1:1', 'app'), { code: 'E_LB_UNREACHABLE' });
});
