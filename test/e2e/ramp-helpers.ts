import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { defaultEvidenceRoot, packageRoot } from '../../scripts/lib/paths';
import type { RampSummary } from '../../scripts/types/ramp-summary';

/** `poolgate ramp --json` on the lab inventory, bounded in time; stopped if the test process ends. */
export function runRampCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 2_400_000,
): Promise<{ code: number; summary: RampSummary | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(packageRoot, 'bin', 'poolgate.js'), 'ramp', '-i', 'inventory/lab', '--json', ...args],
      {
        cwd: packageRoot,
        env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0', ...env },
        timeout: timeoutMs,
      },
    );
    const stop = (): void => void child.kill('SIGTERM');
    process.once('exit', stop);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      process.removeListener('exit', stop);
      let summary: RampSummary | null = null;
      try {
        summary = JSON.parse(stdout) as RampSummary;
      } catch {
        summary = null;
      }
      resolve({ code: code ?? -1, summary, stderr });
    });
  });
}

export const rampSummaryOf = (rampId: string): RampSummary =>
  JSON.parse(fs.readFileSync(path.join(defaultEvidenceRoot(), rampId, 'ramp_summary.json'), 'utf8')) as RampSummary;
