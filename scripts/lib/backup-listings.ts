import { MeasureError } from './errors';

/**
 * The newest base backup in what a backup tool lists, one parser per tool's documented output:
 * - pgBackRest `info --output=json`: an array of stanzas, each with `backup[]` and `timestamp.stop` in epoch
 *   seconds; a backup marked `error: true` (page checksum errors) does not count; a stanza whose repository could
 *   not be read (status 99) is "could not measure";
 * - WAL-G `backup-list --json [--detail]`: an array, oldest first (take the newest, never `[0]`), `finish_time`
 *   with --detail, else `time` (the backup sentinel's modification time);
 * - Barman `list-backups`: with `-f json` an object `{server: [{backup_id, status, end_time_timestamp}]}`,
 *   else text lines `server backup_id [ 'name'] [- T] - <end ctime> - Size: … - WAL Size: …` (or `- STATUS` for a
 *   backup that is not done). Only DONE backups count (WAITING_FOR_WALS cannot be restored yet).
 * Several stanzas or servers: the stalest one decides (a fresh backup of another cluster proves nothing of ours).
 */
export interface Newest {
  newest_at: string | null;
  detail: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Per group (stanza, server), the newest time or null; the stalest group decides. */
function stalestOfNewest(tool: string, groups: { name: string; newest: number | null }[], what: string): Newest {
  if (groups.length === 0) return { newest_at: null, detail: `${tool}: no ${what}` };
  const detail = `${tool}: ${groups.map((g) => `${g.name} ${g.newest === null ? 'none' : iso(g.newest)}`).join(', ')}`;
  if (groups.some((g) => g.newest === null)) return { newest_at: null, detail };
  return { newest_at: iso(Math.min(...groups.map((g) => g.newest!))), detail };
}

/**
 * pgBackRest's stanza status "other": `info` could not read the repository (permissions, a cipher key, the repo host)
 * and still exits 0, with `backup: []` and the reason in each repo's own status. That is not "no backup".
 */
const PGBACKREST_STATUS_OTHER = 99;

interface PgBackRestStatus {
  code?: unknown;
  message?: unknown;
}

export function newestFromPgBackRest(doc: unknown): Newest {
  if (!Array.isArray(doc)) throw new MeasureError('pgBackRest info JSON is not an array of stanzas', 'E_BACKUP_PARSE');
  const stanzas = (doc as Record<string, unknown>[]).map((stanza) => {
    const status = stanza.status as PgBackRestStatus | undefined;
    if (status?.code === PGBACKREST_STATUS_OTHER) {
      const repos = Array.isArray(stanza.repo) ? (stanza.repo as { status?: PgBackRestStatus }[]) : [];
      const why = repos
        .filter((r) => r.status?.code === PGBACKREST_STATUS_OTHER)
        .map((r) => String(r.status?.message))
        .join('; ');
      throw new MeasureError(
        `pgBackRest could not read stanza ${String(stanza.name ?? '?')}: ${why || String(status.message ?? 'other')}`,
        'E_BACKUP_READ',
      );
    }
    const backups = Array.isArray(stanza.backup) ? (stanza.backup as Record<string, unknown>[]) : [];
    let newest: number | null = null;
    for (const b of backups) {
      if (b.error === true) continue;
      const stop = (b.timestamp as { stop?: unknown } | undefined)?.stop;
      if (typeof stop === 'number' && (newest === null || stop * 1000 > newest)) newest = stop * 1000;
    }
    return { name: String(stanza.name ?? '?'), newest };
  });
  return stalestOfNewest('pgBackRest', stanzas, 'stanza');
}

export function newestFromWalG(doc: unknown): Newest {
  if (!Array.isArray(doc)) throw new MeasureError('WAL-G backup-list JSON is not an array', 'E_BACKUP_PARSE');
  let newest: { t: number; name: string } | null = null;
  for (const b of doc as Record<string, unknown>[]) {
    const raw = b.finish_time ?? b.time ?? b.modify_time;
    const t = typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (Number.isNaN(t)) continue;
    if (newest === null || t > newest.t) newest = { t, name: String(b.backup_name ?? '?') };
  }
  if (newest === null) return { newest_at: null, detail: `WAL-G: ${doc.length} backups, none with a time` };
  return { newest_at: iso(newest.t), detail: `WAL-G: newest of ${doc.length} is ${newest.name}` };
}

/** Barman's JSON: `{server: [backup, …]}`; a backup's end is `end_time_timestamp` (epoch seconds, a string). */
export function newestFromBarmanJson(doc: unknown): Newest {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new MeasureError('Barman list-backups JSON is not an object of servers', 'E_BACKUP_PARSE');
  const servers = Object.entries(doc as Record<string, unknown>).map(([name, list]) => {
    if (!Array.isArray(list))
      throw new MeasureError(`Barman list-backups JSON: server ${name} is not a list`, 'E_BACKUP_PARSE');
    let newest: number | null = null;
    for (const b of list as Record<string, unknown>[]) {
      if (!b || typeof b !== 'object' || b.status !== 'DONE') continue;
      const t = Number(b.end_time_timestamp) * 1000;
      if (Number.isFinite(t) && t > 0 && (newest === null || t > newest)) newest = t;
    }
    return { name, newest };
  });
  return stalestOfNewest('Barman', servers, 'server');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// server id ['name'] [- T] - Www Mmm dd hh:mm:ss yyyy - Size: … (the type label came with Barman 3.10's block-level
// incremental backups; older versions print none)
const BARMAN_DONE =
  /^(\S+) (\S+)(?: '[^']*')?(?: - [A-Z])? - \w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) - Size: /;
const BARMAN_OTHER = /^(\S+) (\S+)(?: '[^']*')?(?: - [A-Z])? - ([A-Z_]+)\s*$/;

/**
 * Barman's text listing. Its end time is `datetime.ctime()` of the Barman server's local time with no zone, so it
 * is read as UTC: run Barman in UTC, or use its JSON (`barman -f json list-backups`), which carries epoch seconds.
 */
export function newestFromBarmanText(text: string): Newest {
  const servers = new Map<string, number | null>();
  let lines = 0;
  for (const line of text.split('\n').map((l) => l.trimEnd())) {
    if (!line.trim()) continue;
    const done = BARMAN_DONE.exec(line);
    if (done) {
      lines++;
      const [, server, , mon, day, hh, mm, ss, year] = done;
      const month = MONTHS.indexOf(mon!);
      if (month < 0) throw new MeasureError(`Barman list-backups: unknown month in "${line}"`, 'E_BACKUP_PARSE');
      const t = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
      const prev = servers.get(server!) ?? null;
      // WAITING_FOR_WALS has an end time but is not restorable yet
      if (/ - WAITING_FOR_WALS\b/.test(line)) servers.set(server!, prev);
      else servers.set(server!, prev === null || t > prev ? t : prev);
      continue;
    }
    const other = BARMAN_OTHER.exec(line);
    if (other) {
      lines++;
      if (!servers.has(other[1]!)) servers.set(other[1]!, null);
      continue;
    }
    throw new MeasureError(`Barman list-backups: a line I cannot read: "${line.slice(0, 120)}"`, 'E_BACKUP_PARSE');
  }
  if (lines === 0) return { newest_at: null, detail: 'Barman: no backup listed' };
  const r = stalestOfNewest(
    'Barman',
    [...servers].map(([name, newest]) => ({ name, newest })),
    'server',
  );
  return { ...r, detail: `${r.detail} (text listing: end times read as UTC)` };
}

/** Barman prints JSON with `-f json`, text otherwise: either is read. */
export function newestFromBarman(output: string): Newest {
  const trimmed = output.trim();
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      throw new MeasureError('Barman list-backups printed broken JSON', 'E_BACKUP_PARSE');
    }
    return newestFromBarmanJson(doc);
  }
  return newestFromBarmanText(trimmed);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MeasureError(`${what} did not print JSON`, 'E_BACKUP_PARSE');
  }
}

export const parsePgBackRest = (text: string): Newest => newestFromPgBackRest(parseJson(text, 'pgbackrest info'));
export const parseWalG = (text: string): Newest => {
  const doc = parseJson(text, 'wal-g backup-list');
  return Array.isArray(doc) && doc.length === 0
    ? { newest_at: null, detail: 'WAL-G: no backup listed' }
    : newestFromWalG(doc);
};

/** A `command` source: recognise which tool printed the JSON (pgBackRest, WAL-G or Barman). */
export function newestFromBackupJson(text: string): Newest {
  const doc = parseJson(text, 'backup command');
  if (Array.isArray(doc) && doc.length === 0) return { newest_at: null, detail: 'backup list is empty' };
  if (Array.isArray(doc) && doc.every((x) => x && typeof x === 'object' && 'backup_name' in x))
    return newestFromWalG(doc);
  if (Array.isArray(doc) && doc.every((x) => x && typeof x === 'object' && ('backup' in x || 'status' in x)))
    return newestFromPgBackRest(doc);
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && Object.values(doc).every(Array.isArray))
    return newestFromBarmanJson(doc);
  throw new MeasureError(
    'backup JSON is neither pgBackRest info, WAL-G backup-list nor Barman list-backups',
    'E_BACKUP_PARSE',
  );
}
