import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { labConfig, type LabConfig } from '../lab-config';
import { stopHaproxy } from './haproxy';
import { listeningOn } from './net';
import { stopPostgres } from './postgres';
import { stopPrometheus } from './prometheus';
import { processesUsing, stopPid } from './proc';
import { withSlotLock } from './slot-lock';
import { stopSupervisor } from './supervisor';
import { errorText } from '../../scripts/lib/error-text';

/**
 * `npm run lab:down [-- --purge] [-- --expect-clean]`: stops everything the lab of POOLGATE_LAB_SLOT
 * started, by pid, and waits until no process and no listening port of the slot is left. Keeps the data
 * unless --purge. Idempotent: nothing running is success. --expect-clean (CI) fails if anything had to be
 * stopped, i.e. a test left the lab running.
 */
const log = (line: string): void => void process.stderr.write(`lab-down: ${line}\n`);

async function down(cfg: LabConfig): Promise<string[]> {
  const stopped: string[] = await stopPrometheus(cfg);
  const sup = await stopSupervisor(cfg);
  if (sup.supervisord) stopped.push(`supervisord and ${sup.programs.length} instance(s)`);
  if (await stopHaproxy(cfg)) stopped.push('haproxy');
  if (await stopPostgres(cfg)) stopped.push('postgresql');
  // Anything else still naming this slot's state folder (an instance started by hand, an orphan).
  for (const p of labProcesses(cfg)) {
    log(`stopping leftover pid ${p.pid}: ${p.cmd.slice(0, 120)}`);
    await stopPid(p.pid, 'SIGTERM', 15_000);
    stopped.push(`pid ${p.pid}`);
  }
  return stopped;
}

/** The slot's processes: those naming its state folder or its PostgreSQL folder (which may live outside it). */
function labProcesses(cfg: LabConfig): Array<{ pid: number; cmd: string }> {
  const found = processesUsing(cfg.stateDir);
  if (!cfg.pg.root.startsWith(cfg.stateDir + path.sep)) found.push(...processesUsing(cfg.pg.root));
  return found;
}

async function waitClean(cfg: LabConfig): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const left = [
      ...listeningOn(cfg.net).map((a) => `listening ${a}`),
      ...labProcesses(cfg).map((p) => `pid ${p.pid}`),
    ];
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cfg = labConfig();
  if (!fs.existsSync(cfg.stateDir) && !fs.existsSync(cfg.pg.root)) {
    process.stdout.write(`lab slot ${cfg.slot}: nothing was running\n`);
    return;
  }
  const { stopped, left } = await withSlotLock(cfg, async () => {
    const stopped = await down(cfg);
    for (const f of [cfg.supervisor.socket, cfg.supervisor.pidPath, cfg.haproxy.socket, cfg.haproxy.pidPath])
      fs.rmSync(f, { force: true });
    return { stopped, left: await waitClean(cfg) };
  });
  if (left.length > 0) {
    process.stderr.write(`lab-down: FAILED: slot ${cfg.slot} still has ${left.join(', ')}\n`);
    process.exitCode = 1;
    return;
  }
  if (args.includes('--purge')) {
    fs.rmSync(cfg.stateDir, { recursive: true, force: true });
    fs.rmSync(cfg.pg.root, { recursive: true, force: true });
    log(`removed ${cfg.stateDir}${cfg.pg.root.startsWith(cfg.stateDir + path.sep) ? '' : ` and ${cfg.pg.root}`}`);
  }
  process.stdout.write(
    `lab slot ${cfg.slot}: ${stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running'}\n`,
  );
  if (args.includes('--expect-clean') && stopped.length > 0) {
    process.stderr.write(`lab-down: the lab of slot ${cfg.slot} was left running (by a test?)\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`lab-down: FAILED: ${errorText(err)}\n`);
  process.exitCode = 1;
});
