import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, MeasureError } from './errors';
import type { HostConnection } from '../types/host-connection';

/**
 * What only a host of the fleet can tell (the database host's /proc, an instance's journal or log file) is read by
 * running a small shell script there: over the system `ssh` with the connection settings Ansible uses (rendered into
 * the plan's `hosts`), or on the control node for a host with `connection: local` (the lab) — the same script either
 * way. One SSH connection per host is opened on first use and reused by every later call (ControlMaster, so a
 * monitor's sample costs a channel, not a handshake); every call is bounded in time; every failure — unreachable,
 * refused, timed out, the script failing — is "could not measure" (MeasureError, exit 3), never an empty answer.
 */
export type HostMap = Record<string, HostConnection>;

export interface RunOptions {
  /** what the script reads, for messages ("the journal of ledger.service") */
  what: string;
  timeoutMs: number;
}

export interface HostRunner {
  /**
   * Runs `script` with /bin/sh on the host (null: on the control node); resolves with its stdout, or rejects with
   * a MeasureError.
   */
  run(host: string | null, script: string, opts: RunOptions): Promise<string>;
  /** Ends every shared connection this runner opened. */
  close(): Promise<void>;
}

/** How long the shared connection outlives its last use, so a killed poolgate leaves no ssh process for long. */
const CONTROL_PERSIST_S = 60;
/** ssh's own limit for the TCP connect and the handshake; a call's timeout bounds the whole call besides. */
const CONNECT_TIMEOUT_S = 10;

/** A shell word: `it's` → `'it'\''s'`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Splits ansible_ssh_common_args the way a POSIX shell splits words (quotes and backslashes; no expansions). */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new InputError(`ssh common_args has an unclosed ${quote}: ${text}`);
  if (inWord) words.push(word);
  return words;
}

/** The ssh options for one host: Ansible's settings, then ours (batch mode, bounded connect, a shared connection). */
export function sshArgv(host: HostConnection, controlDir: string): string[] {
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=2',
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPersist=${CONTROL_PERSIST_S}`,
    '-o',
    `ControlPath=${path.join(controlDir, '%C')}`,
    ...(host.port !== undefined ? ['-p', String(host.port)] : []),
    ...(host.user !== undefined ? ['-l', host.user] : []),
    ...(host.private_key_file !== undefined ? ['-i', host.private_key_file] : []),
    ...splitShellWords(host.common_args ?? ''),
    host.address,
  ];
}

/** Where a host is, for messages: `deploy@10.0.0.5:22 (db-1)`. */
export function describeHost(name: string, host: HostConnection): string {
  if (host.connection === 'local') return name === 'the control node' ? name : `${name} (the control node)`;
  return `${name} (${host.user ? `${host.user}@` : ''}${host.address}${host.port !== undefined ? `:${host.port}` : ''})`;
}

/** What one process run needs: argv, how long it may take. Injectable for unit tests. */
export type Spawner = (
  argv: string[],
  timeoutMs: number,
) => Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>;

export const spawnBounded: Spawner = (argv, timeoutMs) =>
  new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const done = (code: number | null): void => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    };
    child.on('error', (e) => {
      err.push(Buffer.from(e.message));
      done(null);
    });
    child.on('close', done);
  });

const CONTROL_NODE: HostConnection = { connection: 'local', address: 'localhost' };

/** ssh's own failures (exit 255): the host was not reached, the script never ran. */
const SSH_FAILED = 255;

const lastLine = (text: string): string =>
  text
    .replace(/\r/g, '')
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-2)
    .join(' | ') || 'no output';

export function hostRunner(hosts: HostMap, spawner: Spawner = spawnBounded): HostRunner {
  let controlDir: string | null = null;
  const opened = new Set<string>();
  const connection = (name: string | null): HostConnection => {
    if (name === null) return CONTROL_NODE;
    const host = hosts[name];
    if (!host) throw new InputError(`the plan has no hosts.${name}: how to reach "${name}" is not known`, 'E_NO_HOST');
    return host;
  };
  return {
    async run(name, script, opts) {
      const host = connection(name);
      const body = host.become ? `sudo -n /bin/sh -c ${shellQuote(script)}` : script;
      let argv: string[];
      if (host.connection === 'local') argv = ['/bin/sh', '-c', body];
      else {
        controlDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-ssh-'));
        opened.add(name!);
        argv = ['ssh', ...sshArgv(host, controlDir), body];
      }
      const where = describeHost(name ?? 'the control node', host);
      const r = await spawner(argv, opts.timeoutMs);
      if (r.timedOut)
        throw new MeasureError(`${opts.what} on ${where}: no answer within ${opts.timeoutMs} ms`, 'E_HOST_TIMEOUT');
      if (r.code === null)
        throw new MeasureError(`${opts.what} on ${where}: could not start: ${lastLine(r.stderr)}`, 'E_HOST_EXEC');
      if (host.connection === 'ssh' && r.code === SSH_FAILED)
        throw new MeasureError(`${opts.what}: could not reach ${where} over SSH: ${lastLine(r.stderr)}`, 'E_SSH');
      if (r.code !== 0)
        throw new MeasureError(
          `${opts.what} on ${where} failed (exit ${r.code}): ${lastLine(r.stderr || r.stdout)}`,
          'E_HOST_COMMAND',
        );
      return r.stdout;
    },
    async close() {
      if (!controlDir) return;
      const dir = controlDir;
      controlDir = null;
      // `ssh -O exit` ends each shared connection now rather than CONTROL_PERSIST_S after its last use.
      for (const name of opened) {
        spawnSync('ssh', [...sshArgv(connection(name), dir).slice(0, -1), '-O', 'exit', connection(name).address], {
          stdio: 'ignore',
          timeout: 5000,
        });
      }
      opened.clear();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
