import fs from 'node:fs';
import net from 'node:net';

/** Does something accept TCP connections at host:port? */
export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** "0102007F:1F90" (little-endian IPv4 hex, port hex) → "127.0.2.1:8080" */
export function decodeProcAddress(hex: string): string {
  const [ip, port] = hex.split(':') as [string, string];
  const bytes = [0, 2, 4, 6].map((i) => parseInt(ip.slice(i, i + 2), 16)).reverse();
  return `${bytes.join('.')}:${parseInt(port, 16)}`;
}

/**
 * Every listening TCP socket on an address of `net` ("127.0.2" → 127.0.2.0/24), read from /proc/net/tcp:
 * what lab-down must leave empty. State 0A is LISTEN.
 */
export function listeningOn(netPrefix: string, procNetTcp = '/proc/net/tcp'): string[] {
  let text: string;
  try {
    text = fs.readFileSync(procNetTcp, 'utf8');
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== '0A') continue;
    const local = decodeProcAddress(cols[1]!);
    if (local.startsWith(`${netPrefix}.`)) found.push(local);
  }
  return found.sort();
}
