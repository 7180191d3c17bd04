import t from 'tap';
import { hostRunner, shellQuote, splitShellWords, sshArgv, type Spawner } from '../../scripts/lib/ssh';
import { MeasureError, InputError } from '../../scripts/lib/errors';

void t.test('ansible_ssh_common_args is split like a shell splits it', async (t) => {
  t.same(splitShellWords(`-o StrictHostKeyChecking=no  -o 'UserKnownHostsFile=/etc/pg gate/kh' -o "ProxyJump=a b"`), [
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/etc/pg gate/kh',
    '-o',
    'ProxyJump=a b',
  ]);
  t.same(splitShellWords(''), []);
  t.same(splitShellWords(`a\\ b ''`), ['a b', '']);
  t.throws(() => splitShellWords(`-o 'open`), InputError);
});

void t.test('shellQuote makes one word of anything', async (t) => {
  t.equal(shellQuote('/etc/ledger/pool.json'), '/etc/ledger/pool.json');
  t.equal(shellQuote("it's here"), `'it'\\''s here'`);
});

void t.test("the ssh argv carries Ansible's settings and a shared, bounded connection", async (t) => {
  const argv = sshArgv(
    {
      connection: 'ssh',
      address: '10.0.0.5',
      user: 'deploy',
      port: 2222,
      private_key_file: '/k/id',
      common_args: '-o StrictHostKeyChecking=no',
    },
    '/tmp/cp',
  );
  t.match(argv.join(' '), /-o BatchMode=yes .*-o ControlMaster=auto -o ControlPersist=60 -o ControlPath=\/tmp\/cp\/%C/);
  t.match(argv.join(' '), /-p 2222 -l deploy -i \/k\/id -o StrictHostKeyChecking=no 10\.0\.0\.5$/);
});

const fake =
  (r: Partial<Awaited<ReturnType<Spawner>>>, seen: string[][] = []): Spawner =>
  async (argv) => {
    seen.push(argv);
    return { code: 0, stdout: '', stderr: '', timedOut: false, ...r };
  };

void t.test('every failure is "could not measure", naming the host and what was read', async (t) => {
  const hosts = { 'db-1': { connection: 'ssh' as const, address: '10.0.0.5', user: 'deploy' } };
  const opts = { what: 'reading the postmaster', timeoutMs: 100 };
  const unreachable = hostRunner(
    hosts,
    fake({ code: 255, stderr: 'ssh: connect to host 10.0.0.5 port 22: Connection refused\n' }),
  );
  await t.rejects(unreachable.run('db-1', 'true', opts), {
    constructor: MeasureError,
    code: 'E_SSH',
    message: /reading the postmaster: could not reach db-1 \(deploy@10\.0\.0\.5\) over SSH: .*Connection refused/,
  });
  const slow = hostRunner(hosts, fake({ code: null, timedOut: true }));
  await t.rejects(slow.run('db-1', 'true', opts), { code: 'E_HOST_TIMEOUT', message: /no answer within 100 ms/ });
  const failing = hostRunner(hosts, fake({ code: 2, stderr: 'head: cannot open x\n' }));
  await t.rejects(failing.run('db-1', 'true', opts), {
    code: 'E_HOST_COMMAND',
    message: /failed \(exit 2\): head: cannot open x/,
  });
  await t.rejects(failing.run('db-9', 'true', opts), { constructor: InputError, message: /no hosts\.db-9/ });
  for (const r of [unreachable, slow, failing]) await r.close();
});

void t.test('a local host runs the same script with /bin/sh; become goes through sudo -n', async (t) => {
  const seen: string[][] = [];
  const r = hostRunner(
    { lab: { connection: 'local', address: 'localhost' }, db: { connection: 'local', address: 'x', become: true } },
    fake({ stdout: 'ok\n' }, seen),
  );
  t.equal(await r.run('lab', 'echo ok', { what: 'x', timeoutMs: 1000 }), 'ok\n');
  await r.run('db', "cat 'a b'", { what: 'x', timeoutMs: 1000 });
  await r.run(null, 'true', { what: 'x', timeoutMs: 1000 });
  t.same(seen, [
    ['/bin/sh', '-c', 'echo ok'],
    ['/bin/sh', '-c', `sudo -n /bin/sh -c 'cat '\\''a b'\\'''`],
    ['/bin/sh', '-c', 'true'],
  ]);
  await r.close();
});

void t.test('a real local script: its stdout, and its failure', async (t) => {
  const r = hostRunner({});
  t.equal(await r.run(null, 'printf "%s" hi', { what: 'x', timeoutMs: 5000 }), 'hi');
  await t.rejects(r.run(null, 'echo nope >&2; exit 4', { what: 'x', timeoutMs: 5000 }), { message: /exit 4\): nope/ });
  await t.rejects(r.run(null, 'sleep 5', { what: 'x', timeoutMs: 200 }), { code: 'E_HOST_TIMEOUT' });
  await r.close();
});
