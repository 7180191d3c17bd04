import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { labConfig, type LabConfig } from '../lab-config';
import { ensureHaproxy, serversUpProbe } from './haproxy';
import { ensurePoolConfigs } from './instances';
import { LabError } from './lab-error';
import { ensurePostgres } from './postgres';
import { ensurePrometheus } from './prometheus';
import { ensureEvidenceSigningKey, ensurePasswordFile } from './secrets';
import { collectStatus, statusTable } from './status';
import { withSlotLock } from './slot-lock';
import { ensureSupervisor } from './supervisor';
import { waitUntil } from './wait';
import { errorText } from '../../scripts/lib/error-text';

/**
 * `npm run lab:up`: brings up (or completes) the lab of POOLGATE_LAB_SLOT and waits until every part is
 * healthy. Idempotent: what already runs is left alone (same pids), changed pool configs are kept.
 */
const log = (line: string): void => void process.stderr.write(`lab-up: ${line}\n`);

async function httpStatus(url: string): Promise<number> {
  const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
  await res.body.dump();
  return res.statusCode;
}

async function waitHealthy(cfg: LabConfig): Promise<void> {
  for (const inst of cfg.instances) {
    await waitUntil(
      `instance ${inst.name}`,
      async () => {
        const s = await httpStatus(`${inst.url}/health`);
        return s === 200 ? null : `/health answered ${s} (log: ${inst.logPath})`;
      },
      { timeoutMs: 60_000 },
    );
  }
  await waitUntil(
    'haproxy',
    serversUpProbe(
      cfg.haproxy.socket,
      cfg.haproxy.backend,
      cfg.instances.map((i) => i.name),
      '`npm run lab:down && npm run lab:up`',
    ),
    { timeoutMs: 20_000 },
  );
  await waitUntil(
    'traffic via haproxy',
    async () => {
      const s = await httpStatus(`${cfg.haproxy.url}${cfg.service.probePath}`);
      return s === 200 ? null : `GET ${cfg.service.probePath} answered ${s}`;
    },
    { timeoutMs: 10_000 },
  );
}

async function up(cfg: LabConfig): Promise<void> {
  // The postgres user walks through these to its data dir, whatever the umask made of them.
  fs.mkdirSync(cfg.stateDir, { recursive: true });
  for (const dir of [path.dirname(cfg.stateDir), cfg.stateDir]) fs.chmodSync(dir, 0o755);
  await ensurePostgres(cfg, log);
  ensureEvidenceSigningKey(cfg.evidenceSigning, log);
  ensurePoolConfigs(cfg, log);
  // Written before supervisord starts the instances, which read it at start; kept across lab:up runs like the passwords.
  if (cfg.token.enabled && ensurePasswordFile(cfg.token.file).created)
    log(`wrote the instances' bearer token (${cfg.token.file})`);
  const main = cfg.service.main;
  if (!fs.existsSync(main)) throw new LabError('instances', `${main} is missing: run \`npm run build\` first`);
  await ensureSupervisor(cfg, log);
  await ensureHaproxy(cfg, log);
  await waitHealthy(cfg);
  if (cfg.prometheus.enabled) await ensurePrometheus(cfg, log);
}

async function main(): Promise<void> {
  // Prometheus and the node exporter are opt-in: POOLGATE_LAB_PROMETHEUS=1 or `npm run lab:up -- --prometheus`.
  const cfg = labConfig(
    process.argv.includes('--prometheus') ? { ...process.env, POOLGATE_LAB_PROMETHEUS: '1' } : process.env,
  );
  let failure: LabError | undefined;
  try {
    await withSlotLock(cfg, () => up(cfg));
  } catch (err) {
    failure = err instanceof LabError ? err : new LabError('lab', errorText(err), { cause: err });
  }
  process.stdout.write(`${statusTable(await collectStatus(cfg))}\n`);
  if (failure) {
    process.stderr.write(`lab-up: FAILED at ${failure.part}: ${failure.message}\n`);
    process.exitCode = 1;
  }
}

void main();
