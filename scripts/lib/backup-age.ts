import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { newestBaseBackup } from './backup-basebackup';
import { newestFromBackupJson, newestFromBarman, parsePgBackRest, parseWalG, type Newest } from './backup-listings';
import { MeasureError } from './errors';
import type { PreflightConfig } from '../types/preflight-config';

/**
 * How old the newest backup is (runbook checklist "Backup verified: Last backup <24 hours"), from one source:
 * - base backups, what a restore starts from: `pgbackrest` (`info --output=json`), `wal_g` (`backup-list --json
 *   --detail`), `barman` (`-f json list-backups all`, or its text), `pg_basebackup` (a target folder's newest
 *   backup_manifest / backup_label), each tool's command replaceable by `command`;
 * - `command`: any program (argv, no shell) printing one of those tools' JSON (recognised by its shape);
 * - `file`: a file holding an ISO-8601 timestamp or epoch seconds (empty: its modification time);
 * - `pg_stat_archiver`: the last WAL segment archived. It proves continuous archiving works, not that a base backup
 *   exists: preflight says so with a WARN even when it is fresh (a failure newer than the last success fails).
 * "No backup found" is a measured fact (the gate fails); a source we cannot read is "could not measure".
 */
export type BackupConfig = NonNullable<PreflightConfig['backup']>;
export type BackupSource = NonNullable<BackupConfig['source']>;

export interface BackupFinding {
  source: BackupSource;
  /** ISO time of the newest backup, or null when none was found. */
  newest_at: string | null;
  detail: string;
  /** A reason the backup cannot be trusted even if recent (e.g. archiver failing now). */
  problem?: string;
}

/** Sources whose finding is a base backup (a restore can start from it); the others are weaker evidence. */
export const BASE_BACKUP_SOURCES: ReadonlySet<BackupSource> = new Set<BackupSource>([
  'pgbackrest',
  'wal_g',
  'barman',
  'pg_basebackup',
]);

/** Each tool's listing command when the config gives none. */
export const TOOL_COMMANDS: Record<'pgbackrest' | 'wal_g' | 'barman', string[]> = {
  pgbackrest: ['pgbackrest', 'info', '--output=json'],
  wal_g: ['wal-g', 'backup-list', '--json', '--detail'],
  barman: ['barman', '-f', 'json', 'list-backups', 'all'],
};

const TOOL_PARSERS: Record<'pgbackrest' | 'wal_g' | 'barman' | 'command', (out: string) => Newest> = {
  pgbackrest: parsePgBackRest,
  wal_g: parseWalG,
  barman: newestFromBarman,
  command: newestFromBackupJson,
};

function iso(d: Date): string {
  return d.toISOString();
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

/** Run a listing command (argv, no shell) and read its output with `parse`. */
export function backupFromCommand(
  argv: string[],
  timeoutMs: number,
  source: BackupSource = 'command',
  parse: (out: string) => Newest = newestFromBackupJson,
): Promise<BackupFinding> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) {
        reject(new MeasureError(`backup command ${argv[0]} failed: ${err.message.split('\n')[0]}`, 'E_BACKUP_COMMAND'));
        return;
      }
      try {
        resolve({ source, ...parse(stdout) });
      } catch (e) {
        reject(e);
      }
    });
  });
}

export function backupFromBaseBackupDir(target: string): BackupFinding {
  const { newest_at, detail } = newestBaseBackup(target);
  return { source: 'pg_basebackup', newest_at, detail };
}

/**
 * The newest backup from the configured source, except `pg_stat_archiver` (read with the database probes: null).
 * A source that cannot be read throws a MeasureError: "could not measure", never "no backup".
 */
export async function findBackup(cfg: BackupConfig): Promise<BackupFinding | null> {
  const source = cfg.source ?? 'pgbackrest';
  const timeoutMs = (cfg.timeout_s ?? 60) * 1000;
  switch (source) {
    case 'pg_stat_archiver':
      return null;
    case 'file':
      return backupFromFile(cfg.file!);
    case 'pg_basebackup':
      return backupFromBaseBackupDir(cfg.path!);
    case 'command':
      return backupFromCommand(cfg.command!, timeoutMs);
    default:
      return backupFromCommand(cfg.command ?? TOOL_COMMANDS[source], timeoutMs, source, TOOL_PARSERS[source]);
  }
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
