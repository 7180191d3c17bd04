import t from 'tap';
import { renderServiceUnit } from '../../../lab/fleet/app-host';
import { renderEtcHosts, renderSshdListen } from '../../../lab/fleet/base-host';
import { renderFleetPgConf, renderFleetPgHba, renderPgBackRestConf } from '../../../lab/fleet/db-hosts';
import { fleetAppVars, fleetConfig, hostNamed } from '../../../lab/fleet/fleet-config';
import { renderFleetHaproxyCfg } from '../../../lab/fleet/lb-host';
import { nspawnArgs } from '../../../lab/fleet/nspawn';

const cfg = fleetConfig({ POOLGATE_FLEET_SLOT: '3' });

t.test(
  'haproxy.cfg: servers named as the inventory, standbys backup, both admin sockets, no L7 retry of a POST',
  async (t) => {
    const text = renderFleetHaproxyCfg(cfg, hostNamed(cfg, 'lb-1'));
    t.match(text, /^\s+server standby-1 127\.1\.3\.11:3000 check backup$/m);
    t.match(text, /^\s+server standby-2 127\.1\.3\.12:3000 check backup$/m);
    t.match(text, /^\s+server primary-1 127\.1\.3\.21:3000 check$/m);
    t.match(text, /^\s+server primary-2 127\.1\.3\.22:3000 check$/m);
    t.match(text, /^\s+stats socket \/run\/haproxy\/admin\.sock mode 660 level admin/m);
    t.match(text, /^\s+stats socket ipv4@127\.1\.3\.1:9999 level admin$/m);
    t.match(text, /^\s+option httpchk GET \/health$/m);
    t.match(text, /^\s+default-server inter 500ms/m);
    t.match(text, /^\s+http-request disable-l7-retry if !METH_GET !METH_OPTIONS$/m);
    t.match(text, /^backend ledger$/m);
    t.same(
      [...text.matchAll(/^\s+bind (\S+)$/gm)].map((m) => m[1]),
      ['127.1.3.1:80', '127.1.3.1:8404'],
      "binds only the lb's own address",
    );
  },
);

t.test(
  'PostgreSQL: its own address, room for 4 × 200 plus overlap, archiving to pgBackRest, named replica',
  async (t) => {
    const conf = renderFleetPgConf(cfg, hostNamed(cfg, 'db-2'));
    t.match(conf, /^listen_addresses = '127\.1\.3\.32'$/m);
    t.match(conf, /^max_connections = 1100$/m);
    t.match(conf, /^cluster_name = 'db-2'$/m);
    t.match(conf, /^archive_mode = on$/m);
    t.match(conf, /^archive_command = 'pgbackrest --stanza=main archive-push %p'$/m, "into pgBackRest's repository");
    t.match(
      renderPgBackRestConf(cfg),
      /^\[main\]\npg1-path=\/var\/lib\/postgresql\/15\/main\npg1-port=5432$/m,
      'its stanza',
    );
    t.match(renderFleetPgHba(cfg), /^host\s+replication\s+replicator\s+127\.0\.0\.0\/8\s+scram-sha-256$/m);
    t.notMatch(renderFleetPgHba(cfg), /\btrust\b/, 'no trust anywhere');
  },
);

t.test(
  'ledger.service: reload = SIGHUP, log to journald, password as a credential (never a value in the unit)',
  async (t) => {
    const unit = renderServiceUnit(cfg, hostNamed(cfg, 'primary-1'));
    t.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    t.match(unit, /^LoadCredential=db_password:\/etc\/ledger\/db_password$/m);
    t.match(unit, /^Environment=POOLGATE_DB_PASSWORD_FILE=%d\/db_password$/m);
    t.match(unit, / --name primary-1 --host 127\.1\.3\.21 --port 3000 --config \/etc\/ledger\/pool\.json --log - /);
    t.match(unit, /^Environment=PGHOST=127\.1\.3\.31 PGPORT=5432 PGDATABASE=ledger PGUSER=ledger_app$/m);
    t.match(unit, /^User=ledger$/m);
    t.notMatch(unit, /PASSWORD=/, 'no password value');
  },
);

t.test('orders.service: the example told where it runs by its environment, under its own unit and paths', async (t) => {
  const example = fleetConfig({ POOLGATE_FLEET_SLOT: '3', POOLGATE_FLEET_SERVICE: 'examples/orders-express' });
  const unit = renderServiceUnit(example, hostNamed(example, 'standby-2'));
  t.match(unit, /^Description=orders-express, an example service on the poolgate agent$/m);
  t.match(
    unit,
    /^Environment=HOST=127\.1\.3\.12 PORT=3000 INSTANCE_NAME=standby-2 POOL_CONFIG=\/etc\/orders\/pool\.json$/m,
  );
  t.match(unit, /^Environment=LOG_FILE=- PGPASSWORD_FILE=%d\/db_password$/m);
  t.match(unit, /^ExecStart=\/usr\/local\/bin\/node \/opt\/orders\/dist\/examples\/orders-express\/server\.js$/m);
  t.match(unit, /^LoadCredential=db_password:\/etc\/orders\/db_password$/m);
  t.match(unit, /^User=orders$/m);
  t.match(unit, /^RuntimeDirectory=orders$/m);
  // The database stays the fleet's (its own tables in it), nothing else of the reference service's.
  t.notMatch(
    unit,
    /ledger\.service|\/(opt|etc|run)\/ledger|=ledger$/m,
    "none of the reference service's unit or paths",
  );
  t.same(fleetAppVars(example), {
    pool_instance_config_path: '/etc/orders/pool.json',
    pool_instance_service: 'orders.service',
    pool_instance_pidfile: '/run/orders/orders.pid',
  });
  t.same(
    example.otherApps.map((a) => a.unit),
    ['ledger.service'],
    'fleet:up removes the reference service from its hosts',
  );
  t.throws(
    () => fleetConfig({ POOLGATE_FLEET_SERVICE: 'examples/nope' }),
    /POOLGATE_FLEET_SERVICE must be one of lab\/service, examples\/orders-express, got "examples\/nope"/,
  );
});

t.test('base: the fleet in /etc/hosts, sshd on its own address; nspawn binds node into app hosts only', async (t) => {
  const db = hostNamed(cfg, 'db-1');
  t.match(renderEtcHosts(cfg, db), /^127\.1\.3\.31 db-1 # this host$/m);
  t.match(renderEtcHosts(cfg, db), /^127\.1\.3\.1 lb-1$/m);
  t.match(renderSshdListen(cfg, db), /^ListenAddress 127\.1\.3\.31:22$/m);
  t.notOk(
    nspawnArgs(db).some((a) => a.startsWith('--bind-ro=')),
    'no node on a db host',
  );
  t.ok(nspawnArgs(hostNamed(cfg, 'standby-1')).includes('--bind-ro=/usr/bin/node:/usr/local/bin/node'));
  t.ok(nspawnArgs(db).includes('--register=no'));
  t.same(nspawnArgs(db).slice(0, 6), ['--directory', db.root, '--machine', 'poolgate-f3-db-1', '--hostname', 'db-1']);
});
