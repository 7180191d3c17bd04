import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { readPoolConfig } from './config-file';
import { Health } from './health';
import { JsonLog, errorFields } from './json-log';
import { ServiceCounters } from './metrics';
import { PoolManager, type DbTarget } from './pool-manager';
import { createPrometheus } from './prometheus';
import { createServer } from './server';

/**
 * The lab's reference service. Launch contract (the lab's supervisord uses exactly this):
 *   node dist/lab/service/main.js --name primary-1 --host 127.0.0.21 --port 3000 --config pool.json --log service.log
 * (`--log -`: the JSON lines on stdout, e.g. to journald under systemd, as the fleet lab runs it)
 * with PGHOST PGPORT PGDATABASE PGUSER and POOLGATE_DB_PASSWORD_FILE in the environment (the password never in argv).
 * SIGHUP reloads the pool config; SIGTERM/SIGINT drain and exit 0.
 */
const STOP_DEADLINE_MS = 25_000;

/**
 * Signals are caught from the first instant (SIGHUP's default action would kill a service that is still
 * starting) and replayed once the pool is up.
 */
const earlySignals: NodeJS.Signals[] = [];
let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => (onSignal ? onSignal(signal) : earlySignals.push(signal)));
}

async function main(): Promise<void> {
  const startedAt = performance.now();
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
      'required: --name <instance> --config <pool.json> --log <file> [--host addr] [--port n] [--pidfile file]',
    );
  }
  const instance = values.name;
  const log = new JsonLog(values.log);
  process.on('uncaughtException', (err) => {
    log.log('error', 'fatal', errorFields(err));
    process.exit(1);
  });
  log.log('info', 'service_start', { instance, pid: process.pid, host: values.host, port, config: values.config });

  let db: DbTarget;
  let config;
  try {
    db = { password: readPassword(process.env.POOLGATE_DB_PASSWORD_FILE) };
    config = await readPoolConfig(values.config);
  } catch (err) {
    log.log('error', 'service_start_failed', errorFields(err));
    return usage((err as Error).message);
  }

  const counters = new ServiceCounters();
  const manager = new PoolManager({ instance, db, counters, log, readConfig: readPoolConfig });
  const health = new Health((timeoutMs) => manager.acquire(timeoutMs));
  const debug = process.env.POOLGATE_LAB_DEBUG === '1';
  const server = createServer({
    instance,
    manager,
    counters,
    health,
    log,
    startedAt,
    debug,
    prometheus: createPrometheus(
      counters,
      () => manager.gauges(),
      instance,
      (performance.timeOrigin + startedAt) / 1000,
    ),
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, values.host, () => resolve());
  }).catch((err: unknown) => {
    log.log('error', 'listen_failed', errorFields(err));
    process.exit(1);
  });
  if (values.pidfile) fs.writeFileSync(values.pidfile, `${process.pid}\n`);

  await manager.start(config);
  health.lifecycle = 'serving';
  log.log('info', 'service_ready', {
    instance,
    generation: 1,
    sha256: config.sha256,
    min: config.pool.min,
    max: config.pool.max,
  });

  let stopping = false;
  onSignal = (signal) => {
    if (stopping) return;
    if (signal === 'SIGHUP') {
      log.log('info', 'reload_requested', {});
      manager.reload().catch((err: unknown) => log.log('error', 'reload_crashed', errorFields(err)));
      return;
    }
    stopping = true;
    void shutdown(signal);
  };
  for (const signal of earlySignals.splice(0)) onSignal(signal);

  /** /health says draining, the listener closes, in-flight requests finish, pools drain and end, exit 0. */
  async function shutdown(signal: string): Promise<void> {
    health.lifecycle = 'draining';
    log.log('info', 'service_stopping', { signal, in_flight: counters.inFlight });
    const deadline = Date.now() + STOP_DEADLINE_MS;
    const hardStop = setTimeout(() => {
      log.log('error', 'service_stop_deadline', { in_flight: counters.inFlight });
      process.exit(1);
    }, STOP_DEADLINE_MS + 2000);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    while (counters.inFlight > 0 && Date.now() < deadline) {
      server.closeIdleConnections();
      await sleep(25);
    }
    server.closeIdleConnections();
    await Promise.race([closed, sleep(Math.max(0, deadline - Date.now()))]);
    await manager.close(Math.max(0, deadline - Date.now()));
    clearTimeout(hardStop);
    log.log('info', 'service_stopped', {
      signal,
      requests_total: counters.requestsTotal,
      requests_errors: counters.requestErrors,
    });
    log.close();
    if (values.pidfile) fs.rmSync(values.pidfile, { force: true });
    process.exit(0);
  }
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

main().catch((err: unknown) => usage((err as Error).message));
