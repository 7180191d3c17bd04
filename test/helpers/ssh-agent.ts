import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';

/**
 * An ssh-agent of the test's own (foreground, stopped by the test's teardown) holding `privateKeyFile`, as an operator
 * signs evidence in production: the inventory names the key's public half, the private half is only in the agent.
 */
export async function sshAgentHolding(t: Test, privateKeyFile: string): Promise<{ sock: string; publicKey: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-agent-'));
  const sock = path.join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  t.teardown(() => {
    agent.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 50 && !fs.existsSync(sock); i += 1) await sleep(100);
  if (!fs.existsSync(sock)) throw new Error(`ssh-agent did not create ${sock}`);
  const env = { ...process.env, SSH_AUTH_SOCK: sock };
  execFileSync('ssh-add', ['-q', privateKeyFile], { env, stdio: 'pipe', timeout: 10_000 });
  const publicKey = path.join(dir, 'operator.pub');
  fs.writeFileSync(publicKey, execFileSync('ssh-keygen', ['-y', '-f', privateKeyFile], { timeout: 10_000 }));
  return { sock, publicKey };
}
