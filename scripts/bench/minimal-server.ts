import fs from 'node:fs';
import net from 'node:net';

/**
 * The cheapest possible HTTP/1.1 server, so the load generator — not the server — is what a bench measures:
 * raw TCP, one canned response per request head ("\r\n\r\n"), no parsing. GET only (the bench sends no
 * bodies). Optional stall: answers due in [stallAt, stallAt + stallMs) after the first request are held
 * until the stall ends, like a frozen pool.
 *
 * With POOLGATE_BENCH_WINDOWS=<file> it counts request arrivals per 10 ms window (from the first request)
 * and writes them there as a JSON array when it gets SIGTERM: how smooth a "fixed rate" really is.
 *
 * Usage: node minimal-server.js <host> <port> [stallAtMs stallMs]; prints "listening <port>" when ready.
 */
const BODY = '{"ok":true}';
const RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\nKeep-Alive: timeout=30\r\n\r\n${BODY}`,
);
const END = Buffer.from('\r\n\r\n');

const [host = '127.0.0.1', portArg = '0', stallAtArg, stallMsArg] = process.argv.slice(2);
const stallAt = stallAtArg === undefined ? -1 : Number(stallAtArg);
const stallMs = Number(stallMsArg ?? 0);
let first = 0;
const windowsFile = process.env.POOLGATE_BENCH_WINDOWS;
const WINDOW_MS = 10;
const MAX_WINDOWS = 360_000; // an hour of 10 ms windows
const windows: number[] = [];

/** Request heads completed in `chunk`, given the last 3 bytes of the previous chunk (a head may straddle). */
function countHeads(carry: Buffer, chunk: Buffer): { heads: number; carry: Buffer } {
  const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
  let heads = 0;
  let at = buf.indexOf(END);
  while (at !== -1) {
    heads++;
    at = buf.indexOf(END, at + 4);
  }
  return { heads, carry: buf.subarray(Math.max(0, buf.length - 3)) };
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let carry: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    const r = countHeads(carry, chunk);
    carry = r.carry;
    if (r.heads === 0) return;
    const reply = r.heads === 1 ? RESPONSE : Buffer.concat(Array.from({ length: r.heads }, () => RESPONSE));
    const now = performance.now();
    if (first === 0) first = now;
    const since = now - first;
    if (windowsFile) {
      const w = Math.floor(since / WINDOW_MS);
      if (w < MAX_WINDOWS) {
        while (windows.length <= w) windows.push(0);
        windows[w]! += r.heads;
      }
    }
    if (stallAt >= 0 && since >= stallAt && since < stallAt + stallMs) {
      setTimeout(() => socket.writable && socket.write(reply), stallAt + stallMs - since);
    } else socket.write(reply);
  });
  socket.on('error', () => socket.destroy());
});

server.listen(Number(portArg), host, () => {
  process.stdout.write(`listening ${(server.address() as net.AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  if (windowsFile) fs.writeFileSync(windowsFile, JSON.stringify(windows));
  process.exit(0);
});
