import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { MeasureError } from './errors';

/**
 * How old the newest backup is, from one of three pluggable sources:
 * - `pg_stat_archiver`: the last WAL segment archived (proves continuous archiving works; a failure newer than
 *   the last success means archiving is broken now);
 * - `command`: a program (argv, no shell) printing pgBackRest `info --output=json` or WAL-G
 *   `backup-list --json` (WAL-G lists oldest first: take the newest, never `[0]`);
 * - `file`: a file holding an ISO-8601 timestamp or epoch seconds (empty: its modification time).
 * "No backup found" is a measured fact (the gate fails); a source we cannot read is "could not measure".
 */
export interface BackupFinding {
  source: 'pg_stat_archiver' | 'command' | 'file';
  /** ISO time of the newest backup, or null when none was found. */
  newest_at: string | null;
  detail: string;
  /** A reason the backup cannot be trusted even if recent (e.g. archiver failing now). */
  problem?: string;
}

function iso(d: Date): string {
  return d.toISOString();
}

/** pgBackRest `info --output=json`: per stanza, the newest backup's stop time; the oldest of those across stanzas. */
export function newestFromPgBackRest(doc: unknown): { newest_at: string | null; detail: string } {
  if (!Array.isArray(doc)) throw new MeasureError('pgBackRest info JSON is not an array of stanzas', 'E_BACKUP_PARSE');
  const perStanza: { name: string; newest: number | null }[] = [];
  for (const stanza of doc as Record<string, unknown>[]) {
    const backups = Array.isArray(stanza.backup) ? (stanza.backup as Record<string, unknown>[]) : [];
    let newest: number | null = null;
    for (const b of backups) {
      if (b.error === true) continue; // pgBackRest marks backups with page checksum errors; they do not count
      const stop = (b.timestamp as { stop?: unknown } | undefined)?.stop;
      if (typeof stop === 'number' && (newest === null || stop > newest)) newest = stop;
    }
    perStanza.push({ name: String(stanza.name ?? '?'), newest });
  }
  if (perStanza.length === 0) return { newest_at: null, detail: 'pgBackRest: no stanza' };
  // Several stanzas: the stalest one decides (a fresh backup of another cluster proves nothing about ours).
  const missing = perStanza.find((s) => s.newest === null);
  const detail = `pgBackRest: ${perStanza.map((s) => `${s.name} ${s.newest === null ? 'none' : iso(new Date(s.newest * 1000))}`).join(', ')}`;
  if (missing) return { newest_at: null, detail };
  const stalest = Math.min(...perStanza.map((s) => s.newest!));
  return { newest_at: iso(new Date(stalest * 1000)), detail };
}

/** WAL-G `backup-list --json` (with or without --detail): the newest finish_time (or time), never `[0]`. */
export function newestFromWalG(doc: unknown): { newest_at: string | null; detail: string } {
  if (!Array.isArray(doc)) throw new MeasureError('WAL-G backup-list JSON is not an array', 'E_BACKUP_PARSE');
  let newest: { t: number; name: string } | null = null;
  for (const b of doc as Record<string, unknown>[]) {
    const raw = b.finish_time ?? b.time ?? b.modify_time;
    const t = typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (Number.isNaN(t)) continue;
    if (newest === null || t > newest.t) newest = { t, name: String(b.backup_name ?? '?') };
  }
  if (newest === null) return { newest_at: null, detail: `WAL-G: ${doc.length} backups, none with a time` };
  return { newest_at: iso(new Date(newest.t)), detail: `WAL-G: newest of ${doc.length} is ${newest.name}` };
}

/** Recognise which tool printed the JSON. */
export function newestFromBackupJson(text: string): { newest_at: string | null; detail: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MeasureError('backup command did not print JSON', 'E_BACKUP_PARSE');
  }
  if (Array.isArray(doc) && doc.length === 0) return { newest_at: null, detail: 'backup list is empty' };
  if (Array.isArray(doc) && doc.every((x) => x && typeof x === 'object' && 'backup_name' in x))
    return newestFromWalG(doc);
  if (Array.isArray(doc) && doc.every((x) => x && typeof x === 'object' && ('backup' in x || 'status' in x)))
    return newestFromPgBackRest(doc);
  throw new MeasureError('backup JSON is neither pgBackRest info nor WAL-G backup-list', 'E_BACKUP_PARSE');
}

/** A timestamp file's content: ISO-8601 or epoch seconds; null when empty (the caller uses mtime). */
export function parseTimestampText(text: string): Date | null {
  const s = text.trim();
  if (s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return new Date(Number(s) * 1000);
  const t = Date.parse(s);
  if (Number.isNaN(t))
    throw new MeasureError(
      `timestamp file holds "${s.slice(0, 40)}", neither ISO-8601 nor epoch seconds`,
      'E_BACKUP_PARSE',
    );
  return new Date(t);
}

export function backupFromFile(file: string): BackupFinding {
  let text: string;
  let mtime: Date;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtime = fs.statSync(file).mtime;
  } catch (err) {
    throw new MeasureError(
      `cannot read backup timestamp file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'E_BACKUP_READ',
    );
  }
  const parsed = parseTimestampText(text);
  return {
    source: 'file',
    newest_at: iso(parsed ?? mtime),
    detail: parsed ? `timestamp in ${file}` : `modification time of ${file}`,
  };
}

export function backupFromCommand(argv: string[], timeoutMs: number): Promise<BackupFinding> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) {
        reject(new MeasureError(`backup command ${argv[0]} failed: ${err.message.split('\n')[0]}`, 'E_BACKUP_COMMAND'));
        return;
      }
      try {
        resolve({ source: 'command', ...newestFromBackupJson(stdout) });
      } catch (e) {
        reject(e);
      }
    });
  });
}

export interface ArchiverRow {
  archived_count: number | string;
  last_archived_time: Date | null;
  failed_count: number | string;
  last_failed_time: Date | null;
}

/** pg_stat_archiver's one row, already read. */
export function backupFromArchiver(row: ArchiverRow): BackupFinding {
  const last = row.last_archived_time;
  const failed = row.last_failed_time;
  const finding: BackupFinding = {
    source: 'pg_stat_archiver',
    newest_at: last ? iso(last) : null,
    detail: last
      ? `archived ${row.archived_count}, failed ${row.failed_count}`
      : 'no WAL segment was ever archived (is archive_mode on? or set preflight.backup.source to command/file)',
  };
  if (failed && (!last || failed > last)) finding.problem = `WAL archiving failing since ${iso(failed)}`;
  return finding;
}
