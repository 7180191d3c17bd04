import fs from 'node:fs';
import path from 'node:path';
import { RUNBOOK_BASELINE_POOL, type LabConfig } from '../lab-config';

/**
 * Each instance's pool config starts at the runbook's baseline (min 10, max 50). It is written only when
 * absent: after a rollout changed it, a second `lab:up` must not silently undo the change.
 */
export function ensurePoolConfigs(cfg: LabConfig, log: (line: string) => void): void {
  for (const inst of cfg.instances) {
    fs.mkdirSync(path.dirname(inst.configPath), { recursive: true });
    if (fs.existsSync(inst.configPath)) continue;
    fs.writeFileSync(inst.configPath, `${JSON.stringify(RUNBOOK_BASELINE_POOL, null, 2)}\n`, { mode: 0o644 });
    log(`instances: wrote the baseline pool config of ${inst.name}`);
  }
}

/** Where supervisord sends an instance's stdout and stderr (the service's own JSON-lines log is `logPath`). */
export function instanceOutputPaths(logPath: string): { stdout: string; stderr: string } {
  const dir = path.dirname(logPath);
  return { stdout: path.join(dir, 'stdout.log'), stderr: path.join(dir, 'stderr.log') };
}
