import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createAgent, JsonLog, type PoolAgent } from '../../agent';
import { errorFields } from '../../agent/json-log';
import { createServer } from './server';

/**
 * The lab's reference service: the ledger's routes on the poolgate agent, which owns the pool and the contract.
 * Launch contract (the lab's supervisord and the fleet's systemd unit use exactly this):
 *   node dist/lab/service/main.js --name primary-1 --host 127.0.0.21 --port 3000 --config pool.json --log service.log
 * (`--log -`: the JSON lines on stdout, e.g. to journald under systemd, as the fleet lab runs it)
 * with PGHOST PGPORT PGDATABASE PGUSER and POOLGATE_DB_PASSWORD_FILE in the environment (the password never in argv),
 * and optionally POOLGATE_TOKEN_FILE: a file holding the bearer token every contract endpoint but /health then requires,
 * and POOLGATE_STOP_GRACE_MS: how long a stop keeps serving before it closes (the agent reads it; default 0).
 * SIGHUP reloads the pool config; SIGTERM/SIGINT drain and exit 0. A bad config at start: exit 2.
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '3000' },
      config: { type: 'string' },
      log: { type: 'string' },
      pidfile: { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!values.name || !values.config || !values.log || !Number.isInteger(port) || port < 1 || port > 65535) {
    return usage(
      'required: --name <instance> --config <pool.json> --log <file, or - for stdout> [--host addr] [--port n] [--pidfile file]',
    );
  }
  const instance = values.name;
  const log = new JsonLog(values.log);
  process.on('uncaughtException', (err) => {
    log.log('error', 'fatal', errorFields(err));
    process.exit(1);
  });
  log.log('info', 'service_start', { instance, pid: process.pid, host: values.host, port, config: values.config });
  let agent: PoolAgent;
  try {
    const password = readPassword(process.env.POOLGATE_DB_PASSWORD_FILE);
    agent = createAgent({
      config: values.config,
      name: instance,
      pg: password === undefined ? {} : { password },
      ...(process.env.POOLGATE_TOKEN_FILE ? { token: { file: process.env.POOLGATE_TOKEN_FILE } } : {}),
      log,
      onStop: () => {
        log.close();
        if (values.pidfile) fs.rmSync(values.pidfile, { force: true });
      },
    });
  } catch (err) {
    log.log('error', 'service_start_failed', errorFields(err));
    return usage((err as Error).message);
  }
  const server = createServer({ agent, debug: process.env.POOLGATE_LAB_DEBUG === '1' });
  server.keepAliveTimeout = 5000;
  agent.attach(server);
  server.once('error', (err) => {
    log.log('error', 'listen_failed', errorFields(err));
    process.exit(1);
  });
  // Listening before the pool is built, so /health answers "starting" (503) rather than nothing.
  server.listen(port, values.host, () => {
    if (values.pidfile) fs.writeFileSync(values.pidfile, `${process.pid}\n`);
    agent.start().catch((err: unknown) => {
      log.log('error', 'service_start_failed', errorFields(err));
      usage((err as Error).message);
      process.exit(2);
    });
  });
}

/** The password file's content, trimmed; never echoed anywhere. Unset: pg's own defaults (PGPASSWORD, ~/.pgpass). */
function readPassword(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read POOLGATE_DB_PASSWORD_FILE ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function usage(message: string): void {
  process.stderr.write(`poolgate reference service: ${message}\n`);
  process.exitCode = 2;
}

main();
