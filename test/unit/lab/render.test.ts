import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { renderHaproxyCfg, STOP_GRACE_MS } from '../../../lab/control/haproxy';
import { decodeProcAddress, listeningOn } from '../../../lab/control/net';
import { renderPgConf, renderPgHba } from '../../../lab/control/postgres';
import { scramVerifier } from '../../../lab/control/secrets';
import { parseSupervisorStatus, renderSupervisorConf } from '../../../lab/control/supervisor';
import { labConfig } from '../../../lab/lab-config';

const cfg = labConfig({ POOLGATE_LAB_SLOT: '5', POOLGATE_LAB_MAX_CONNECTIONS: '900' });

t.test('haproxy.cfg: primaries active, standbys backup, checks and retries as the lab needs', async (t) => {
  const text = renderHaproxyCfg(cfg);
  t.match(text, /bind 127\.0\.5\.1:8080\n/);
  t.match(text, /server primary-1 127\.0\.5\.21:3000 check\n/);
  t.match(text, /server standby-2 127\.0\.5\.12:3000 check backup\n/);
  t.match(text, /option httpchk GET \/health/);
  t.match(text, /default-server inter 500ms fall 2 rise 2/);
  t.match(text, /retry-on conn-failure empty-response response-timeout/);
  t.match(
    text,
    /frontend public\n.*\n    http-request disable-l7-retry if !METH_GET !METH_OPTIONS\n/,
    'a request that is not a GET/HEAD/OPTIONS is never resent once it reached a server',
  );
  t.match(text, new RegExp(`stats socket ${cfg.haproxy.socket} mode 600 level admin`));
  t.notMatch(text, /127\.0\.0\./, 'nothing of slot 0 leaks into slot 5');
});

t.test('supervisord.conf: one program per instance with the launch contract, no password value', async (t) => {
  const text = renderSupervisorConf(cfg, { node: '/usr/bin/node' });
  for (const inst of cfg.instances) {
    t.match(text, `[program:${inst.service}]`);
    t.match(
      text,
      `--name ${inst.name} --host ${inst.address} --port 3000 --config ${inst.configPath} --log ${inst.logPath}`,
    );
  }
  t.match(text, `POOLGATE_DB_PASSWORD_FILE="${cfg.pg.appPasswordFile}"`);
  t.match(text, /autorestart=false/);
  t.match(text, /stopsignal=TERM\nstopwaitsecs=30/);
  t.notMatch(text, /user=root/, 'user= only when running as root');
});

t.test(
  'POOLGATE_LAB_TOKEN=1: every instance gets the token file by path (both launch styles), else none',
  async (t) => {
    t.notMatch(renderSupervisorConf(cfg), /POOLGATE_TOKEN_FILE/, 'the default lab requires no token');
    for (const service of ['lab/service', 'examples/orders-express']) {
      const withToken = labConfig({ POOLGATE_LAB_SLOT: '5', POOLGATE_LAB_TOKEN: '1', POOLGATE_LAB_SERVICE: service });
      t.equal(withToken.token.file, path.join(withToken.stateDir, 'secrets', 'service_token'));
      const text = renderSupervisorConf(withToken);
      t.equal(
        text.split(`POOLGATE_TOKEN_FILE="${withToken.token.file}"`).length - 1,
        withToken.instances.length,
        `${service}: each instance names the file`,
      );
    }
  },
);

t.test("every instance gets HAProxy's stop grace (both launch styles: the agent reads it for both)", async (t) => {
  for (const service of ['lab/service', 'examples/orders-express']) {
    const lab = labConfig({ POOLGATE_LAB_SLOT: '5', POOLGATE_LAB_SERVICE: service });
    t.equal(
      renderSupervisorConf(lab).split(`POOLGATE_STOP_GRACE_MS="${STOP_GRACE_MS}"`).length - 1,
      lab.instances.length,
      `${service}: ${STOP_GRACE_MS} ms on each instance`,
    );
  }
});

t.test(
  'postgresql: listens on the slot address only, max_connections from the environment, scram over TCP',
  async (t) => {
    t.match(renderPgConf(cfg), /listen_addresses = '127\.0\.5\.1'\nport = 54320\n/);
    t.match(renderPgConf(cfg), /max_connections = 900\n/);
    t.match(renderPgConf(cfg), /log_connections = on\nlog_disconnections = on/);
    const hba = renderPgHba('postgres')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    t.same(
      hba.map((l) => l.split(/\s+/)),
      [
        ['local', 'all', 'postgres', 'peer'],
        ['host', 'all', 'all', '127.0.0.0/8', 'scram-sha-256'],
      ],
    );
  },
);

t.test('the SCRAM verifier matches RFC 7677 and hides the password', async (t) => {
  // RFC 7677's example: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
  const v = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
  const salted = crypto.pbkdf2Sync('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096, 32, 'sha256');
  const serverKey = crypto.createHmac('sha256', salted).update('Server Key').digest('base64');
  t.match(v, /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/=]{44}:/);
  t.equal(v.split(':').pop(), serverKey);
  t.notMatch(v, /pencil/);
});

t.test('supervisorctl status lines parse into state and pid', async (t) => {
  const text =
    'poolgate-svc-primary-1           RUNNING   pid 1234, uptime 0:00:05\npoolgate-svc-standby-1           EXITED    Nov 30 05:36 PM\n';
  t.same(parseSupervisorStatus(text), [
    { program: 'poolgate-svc-primary-1', state: 'RUNNING', detail: 'pid 1234, uptime 0:00:05', pid: 1234 },
    { program: 'poolgate-svc-standby-1', state: 'EXITED', detail: 'Nov 30 05:36 PM' },
  ]);
});

t.test('listening sockets of one slot are read from /proc/net/tcp', async (t) => {
  t.equal(decodeProcAddress('0102007F:1F90'), '127.0.2.1:8080');
  const dir = t.testdir({});
  const file = path.join(dir, 'tcp');
  fs.writeFileSync(
    file,
    [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0105007F:D430 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 1 1',
      '   1: 1505007F:0BB8 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1',
      '   2: 0102007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1',
      '',
    ].join('\n'),
  );
  t.same(listeningOn('127.0.5', file), ['127.0.5.1:54320'], 'only LISTEN sockets of 127.0.5.0/24');
});
