import fs from 'node:fs';
import { InputError, MeasureError } from './errors';
import type { LogLine, LogSummary } from '../types/evidence-common';

/**
 * The runbook's `grep "pool" app.log | tail -100` and `grep -i error`, for JSON-lines logs: each line an object
 * with a time (`time`|`ts`|`timestamp`, ISO or epoch ms as pino writes), a level (`level`: a name, or pino's
 * number, 50+ = error) and a message (`msg`|`message`|`event`; other fields are appended as JSON). A pool line mentions "pool" in its message
 * or event or carries a `pool` field; an error line has level error/fatal. A line without a readable time is
 * kept (we cannot prove it is older than `since`). Only the last `maxBytes` of a big file are read.
 */
export type { LogLine, LogSummary };

const PINO_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

function levelOf(v: unknown): string {
  if (typeof v === 'number') return PINO_LEVELS[v] ?? (v >= 50 ? 'error' : String(v));
  return typeof v === 'string' ? v.toLowerCase() : 'info';
}

function timeOf(o: Record<string, unknown>): number | null {
  const v = o.time ?? o.ts ?? o.timestamp;
  if (typeof v === 'number') return v > 1e12 ? v : v * 1000; // epoch ms (pino) or seconds
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Pure: summarise log text. */
export function summariseLog(
  name: string,
  path: string,
  text: string,
  since: Date | null,
  lastN: number,
  truncated = false,
): LogSummary {
  const out: LogSummary = {
    name,
    path,
    since: since ? since.toISOString() : null,
    lines_read: 0,
    unparsed: 0,
    pool_lines: 0,
    error_lines: 0,
    last: [],
    last_errors: [],
    truncated,
  };
  const lines = text.split('\n');
  if (truncated) lines.shift(); // the first line of a tail read is probably cut
  for (const raw of lines) {
    if (raw.trim() === '') continue;
    let o: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      o = parsed as Record<string, unknown>;
    } catch {
      out.unparsed++;
      continue;
    }
    const t = timeOf(o);
    if (since && t !== null && t < since.getTime()) continue;
    out.lines_read++;
    const level = levelOf(o.level);
    const text = String(o.msg ?? o.message ?? o.event ?? '');
    const { time: _t, ts: _ts, timestamp: _tm, level: _l, msg: _m, message: _g, event: _e, ...fields } = o;
    const msg = Object.keys(fields).length > 0 ? `${text} ${JSON.stringify(fields)}` : text;
    const isError = level === 'error' || level === 'fatal' || level === 'critical';
    const isPool = /pool/i.test(text) || /pool/i.test(String(o.event ?? '')) || 'pool' in o;
    if (!isError && !isPool) continue;
    const line: LogLine = { time: t === null ? null : new Date(t).toISOString(), level, msg: msg.slice(0, 300) };
    if (isPool) out.pool_lines++;
    if (isError) {
      out.error_lines++;
      out.last_errors.push(line);
      if (out.last_errors.length > lastN) out.last_errors.shift();
    }
    out.last.push(line);
    if (out.last.length > lastN) out.last.shift();
  }
  return out;
}

/** Read a log (its last `maxBytes`) and summarise it. A missing or unreadable file is "could not measure". */
export function scanLog(
  name: string,
  path: string,
  since: Date | null,
  lastN = 20,
  maxBytes = 8 * 1024 * 1024,
): LogSummary {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    throw new MeasureError(
      `cannot read log ${path} of ${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'E_LOG_READ',
    );
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    return summariseLog(name, path, buf.toString('utf8'), since, lastN, start > 0);
  } finally {
    fs.closeSync(fd);
  }
}

/** `--log name=path` flags into a map. */
export function parseLogFlags(flags: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of flags ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(spec);
    if (!m) throw new InputError(`--log "${spec}" must be name=path, e.g. primary-1=/var/log/app/primary-1.log`);
    out[m[1]!] = m[2]!;
  }
  return out;
}
