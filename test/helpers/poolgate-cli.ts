import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../scripts/lib/paths';

export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program from the package root and collects its output, bounded in time (killed at timeoutMs). */
export function runProcess(
  command: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: packageRoot, env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs the compiled CLI (`npm test` builds first), bounded in time. */
export function runPoolgate(args: string[], timeoutMs: number): Promise<ProcessRun> {
  return runProcess(process.execPath, [path.join(packageRoot, 'bin', 'poolgate.js'), ...args], timeoutMs);
}
