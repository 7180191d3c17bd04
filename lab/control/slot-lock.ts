import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabConfig } from '../lab-config';
import { LabError } from './lab-error';
import { isAlive, readPidFile } from './proc';

/**
 * One lab-up or lab-down at a time per slot (a person and a test, or two tests, may ask at once); the fleet lab
 * uses it for its slots and for building its image. The lock file holds the owner's pid; a lock whose owner is
 * gone is taken over.
 */
export async function withSlotLock<T>(
  cfg: Pick<LabConfig, 'stateDir'>,
  fn: () => Promise<T>,
  timeoutMs = 180_000,
): Promise<T> {
  const lock = path.join(cfg.stateDir, 'lab.lock');
  fs.mkdirSync(cfg.stateDir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readPidFile(lock);
      if (!isAlive(owner, 'node')) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new LabError('lab', `another lab-up/lab-down or fleet-up/fleet-down (pid ${owner}) holds ${lock}`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
