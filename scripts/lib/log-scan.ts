import { InputError } from './errors';
import { shellQuote } from './ssh';
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

/** Pure: summarise log text (JSON lines). */
export function summariseLog(
  name: string,
  path: string,
  text: string,
  since: Date | null,
  lastN: number,
  truncated = false,
): LogSummary {
  const lines = text.split('\n');
  if (truncated) lines.shift(); // the first line of a tail read is probably cut
  return summariseEntries(
    name,
    path,
    lines.filter((raw) => raw.trim() !== '').map(parseObject),
    since,
    lastN,
    truncated,
  );
}

function parseObject(raw: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Pure: summarise log entries, one object per line (null: a line that is not a JSON object). */
export function summariseEntries(
  name: string,
  path: string,
  entries: Array<Record<string, unknown> | null>,
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
  for (const o of entries) {
    if (!o) {
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

/** syslog priorities as levels: 0-3 emerg..err are errors, 4 a warning, the rest information. */
function levelOfPriority(p: unknown): string {
  const n = Number(p);
  return !Number.isInteger(n) ? 'info' : n <= 3 ? 'error' : n === 4 ? 'warn' : n <= 6 ? 'info' : 'debug';
}

/**
 * systemd's own record that a unit ended in failure (SD_MESSAGE_UNIT_FAILURE_RESULT: "Failed with result
 * 'signal'", 'exit-code', 'oom-kill', 'timeout', …), logged at warning priority. With `Restart=on-failure` the
 * instance is back seconds later, running its file: its pool reads back right, and a crash would pass unseen.
 */
export const UNIT_FAILED_MESSAGE_ID = 'd9b373ed55a64feb8242e02dbe79a49c';

/** One `journalctl -o json` entry's own fields: when (µs since the epoch), what, and how journald classed it. */
export interface JournalRecord {
  atUs: number | undefined;
  /** MESSAGE as text (journald gives it as an array of bytes when it is not valid UTF-8) */
  message: string;
  priority: unknown;
  messageId: unknown;
}

/** One line of `journalctl -o json` as its record; null when the line is not a JSON object. */
export function journalRecord(raw: string): JournalRecord | null {
  const e = parseObject(raw);
  if (!e) return null;
  const m = e.MESSAGE;
  const at = Number(e.__REALTIME_TIMESTAMP);
  return {
    atUs: Number.isFinite(at) ? at : undefined,
    message: Array.isArray(m) ? Buffer.from(m as number[]).toString('utf8') : String(m ?? ''),
    priority: e.PRIORITY,
    messageId: e.MESSAGE_ID,
  };
}

/**
 * One `journalctl -o json` entry as a log entry: a MESSAGE that is itself a JSON object (a service logging JSON
 * lines to stdout) is that object, timed by the journal when it carries no time; systemd's record of the unit
 * failing is an error; any other MESSAGE is judged by the entry's PRIORITY (journald gives a unit's stdout and stderr
 * alike `SyslogLevel=`, info by default).
 */
export function journalEntry(raw: string): Record<string, unknown> | null {
  const r = journalRecord(raw);
  if (!r) return null;
  const time = r.atUs === undefined ? undefined : r.atUs / 1000;
  const inner = r.message.trimStart().startsWith('{') ? parseObject(r.message) : null;
  if (inner) return timeOf(inner) === null && time !== undefined ? { ...inner, time } : inner;
  const level = r.messageId === UNIT_FAILED_MESSAGE_ID ? 'error' : levelOfPriority(r.priority);
  return { time, level, msg: r.message };
}

/** Where an instance's log is: a JSON-lines file, or a systemd unit's journal — on the instance's host. */
export type LogSource = { file: string } | { journal: string };

/** The bound on what one log read brings back: the newest lines win. */
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_JOURNAL_ENTRIES = 20_000;

export const logPath = (source: LogSource): string =>
  'file' in source ? source.file : `journalctl -u ${source.journal}`;

/** The script that prints a file's size, then its last MAX_BYTES. */
function fileScript(file: string): string {
  const f = shellQuote(file);
  return `[ -r ${f} ] || { echo cannot read ${f}: no such file or no permission >&2; exit 2; }
wc -c < ${f} && tail -c ${MAX_BYTES} ${f}`;
}

/**
 * The script that prints a unit's journal entries as JSON lines. journalctl run by a user who may not read the
 * system journal prints nothing and exits 0 (a hint on stderr), and so does a unit name that does not exist: both
 * would read as "no error in the logs", so both fail here.
 */
function journalScript(unit: string, since: Date | null): string {
  const u = shellQuote(unit);
  const sinceArg = since ? ` --since @${Math.floor(since.getTime() / 1000)}` : '';
  return `state=$(systemctl show -p LoadState --value -- ${u} 2>&1)
[ "$state" = loaded ] || { echo unit ${u} is "$state" on this host >&2; exit 4; }
{ err=$(journalctl -u ${u} -o json --output-fields=MESSAGE,PRIORITY,MESSAGE_ID --no-pager -n ${MAX_JOURNAL_ENTRIES}${sinceArg} 2>&1 1>&3 3>&-); rc=$?; } 3>&1
[ $rc -eq 0 ] || { echo "journalctl exited $rc: $err" >&2; exit 3; }
case $err in *"not seeing messages"*|*"insufficient permissions"*) echo "$err" >&2; exit 5;; esac`;
}

/**
 * Read an instance's log on its host (`host` in the runner; a file without a host entry is read on the control
 * node) and summarise it. Unreadable, missing, not permitted: "could not measure".
 */
export async function readLog(
  name: string,
  source: LogSource,
  run: (script: string, what: string) => Promise<string>,
  since: Date | null,
  lastN = 20,
): Promise<LogSummary> {
  const path = logPath(source);
  if ('file' in source) {
    const out = await run(fileScript(source.file), `reading log ${source.file}`);
    const nl = out.indexOf('\n');
    const size = Number(out.slice(0, nl).trim());
    return summariseLog(name, path, out.slice(nl + 1), since, lastN, size > MAX_BYTES);
  }
  const out = await run(journalScript(source.journal, since), `reading the journal of ${source.journal}`);
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  return summariseEntries(name, path, lines.map(journalEntry), since, lastN, lines.length >= MAX_JOURNAL_ENTRIES);
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
