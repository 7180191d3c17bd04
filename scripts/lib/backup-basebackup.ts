import fs from 'node:fs';
import path from 'node:path';
import { MeasureError } from './errors';
import type { Newest } from './backup-listings';

/**
 * The newest `pg_basebackup` in a target folder: the folder itself or each of its immediate subfolders (one per
 * backup, e.g. `base-20260201T0200Z/`) is a backup when it holds a `backup_manifest` or a `backup_label`.
 *
 * A backup's time comes from its manifest first: pg_basebackup writes `backup_manifest` last (so its presence
 * means the backup completed), and the manifest's entry for `backup_label` carries the time the server produced
 * the label, in GMT, whatever the format (plain or tar). Without a manifest (PostgreSQL < 13, or
 * `--no-manifest`), the plain format's `backup_label` line `START TIME: 2026-02-01 02:00:00 UTC` is read; its zone is
 * the server's log_timezone, so a zone other than UTC/GMT or a numeric offset is "could not measure".
 */
export interface BaseBackupSeen {
  dir: string;
  at: number;
  from: 'backup_manifest' | 'backup_label';
}

const MANIFEST = 'backup_manifest';
const LABEL = 'backup_label';

/** "2026-02-01 02:00:00 GMT" (manifest Last-Modified) or "… UTC" / "… +03" / "… -05:30" (backup_label). */
export function parsePgTime(text: string, where: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) (\S+)$/.exec(text.trim());
  if (!m) throw new MeasureError(`${where}: "${text.trim().slice(0, 60)}" is not a PostgreSQL time`, 'E_BACKUP_PARSE');
  const [, y, mo, d, hh, mi, ss, zone] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mi), Number(ss));
  if (zone === 'UTC' || zone === 'GMT' || zone === 'Z') return utc;
  const off = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone!);
  if (!off)
    throw new MeasureError(
      `${where}: time zone "${zone}" is ambiguous: set the server's log_timezone to UTC, or keep the backup's manifest`,
      'E_BACKUP_PARSE',
    );
  const minutes = Number(off[2]) * 60 + Number(off[3] ?? 0);
  return utc - (off[1] === '-' ? -1 : 1) * minutes * 60_000;
}

/** The label's time from a backup_manifest document (schema: PostgreSQL's backup manifest format, version 1+). */
export function timeFromManifest(doc: unknown, where: string): number | null {
  const m = doc as { 'PostgreSQL-Backup-Manifest-Version'?: unknown; Files?: unknown };
  if (!m || typeof m !== 'object' || m['PostgreSQL-Backup-Manifest-Version'] === undefined || !Array.isArray(m.Files))
    throw new MeasureError(`${where} is not a PostgreSQL backup manifest`, 'E_BACKUP_PARSE');
  const label = (m.Files as Record<string, unknown>[]).find((f) => f && f.Path === LABEL);
  const lastModified = label?.['Last-Modified'];
  return typeof lastModified === 'string' ? parsePgTime(lastModified, `${where} (${LABEL})`) : null;
}

/** The `START TIME:` line of a backup_label file. */
export function timeFromLabel(text: string, where: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith('START TIME: '));
  return line ? parsePgTime(line.slice('START TIME: '.length), where) : null;
}

function readBackup(dir: string): BaseBackupSeen | null {
  const manifest = path.join(dir, MANIFEST);
  if (fs.existsSync(manifest)) {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    } catch (err) {
      throw new MeasureError(`${manifest} is not readable JSON: ${(err as Error).message}`, 'E_BACKUP_PARSE');
    }
    const at = timeFromManifest(doc, manifest);
    if (at !== null) return { dir, at, from: 'backup_manifest' };
  }
  const label = path.join(dir, LABEL);
  if (fs.existsSync(label)) {
    const at = timeFromLabel(fs.readFileSync(label, 'utf8'), label);
    if (at !== null) return { dir, at, from: 'backup_label' };
  }
  return null;
}

export function newestBaseBackup(target: string): Newest & { seen: BaseBackupSeen[] } {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(target, { withFileTypes: true });
  } catch (err) {
    throw new MeasureError(
      `cannot read the pg_basebackup target ${target}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'E_BACKUP_READ',
    );
  }
  const dirs = [target, ...entries.filter((e) => e.isDirectory()).map((e) => path.join(target, e.name))];
  const seen = dirs.map(readBackup).filter((b): b is BaseBackupSeen => b !== null);
  if (seen.length === 0)
    return {
      newest_at: null,
      detail: `pg_basebackup: no ${MANIFEST} or ${LABEL} in ${target} or its subfolders`,
      seen,
    };
  const newest = seen.reduce((a, b) => (b.at > a.at ? b : a));
  return {
    newest_at: new Date(newest.at).toISOString(),
    detail: `pg_basebackup: newest of ${seen.length} is ${path.relative(target, newest.dir) || '.'} (${newest.from})`,
    seen,
  };
}
