import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../scripts/lib/paths';

/** Runs the compiled CLI (`npm test` builds first), bounded in time. */
export function runPoolgate(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(packageRoot, 'bin', 'poolgate.js'), ...args], { cwd: packageRoot, env: process.env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
