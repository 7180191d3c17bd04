import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { newestBaseBackup } from './backup-basebackup';
import { newestFromBackupJson, newestFromBarman, parsePgBackRest, parseWalG, type Newest } from './backup-listings';
import { InputError, MeasureError } from './errors';
import { shellQuote, type HostRunner } from './ssh';
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
 * A listing command runs on the control node, or with `host` on that inventory host over its connection in the plan
 * (where the tool, its config and its repository are: the database host or a repository host), as DB CPU is read.
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

/** Runs a listing's argv (no shell) and resolves with its stdout; a failure is a MeasureError. */
export type ListingRunner = (argv: string[], timeoutMs: number) => Promise<string>;

/** On the control node. */
export const localListing: ListingRunner = (argv, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err)
        reject(new MeasureError(`backup command ${argv[0]} failed: ${err.message.split('\n')[0]}`, 'E_BACKUP_COMMAND'));
      else resolve(stdout);
    });
  });

/** On an inventory host, over the plan's connection to it (the argv quoted into one shell line). */
export const hostListing =
  (runner: HostRunner, host: string): ListingRunner =>
  (argv, timeoutMs) =>
    runner.run(host, argv.map(shellQuote).join(' '), { what: `backup command ${argv[0]}`, timeoutMs });

/** Run a listing command and read its output with `parse`. */
export async function backupFromCommand(
  argv: string[],
  timeoutMs: number,
  source: BackupSource = 'command',
  parse: (out: string) => Newest = newestFromBackupJson,
  run: ListingRunner = localListing,
): Promise<BackupFinding> {
  return { source, ...parse(await run(argv, timeoutMs)) };
}

export function backupFromBaseBackupDir(target: string): BackupFinding {
  const { newest_at, detail } = newestBaseBackup(target);
  return { source: 'pg_basebackup', newest_at, detail };
}

/** Sources read by running a listing command: the only ones `host` applies to. */
const COMMAND_SOURCES: ReadonlySet<BackupSource> = new Set<BackupSource>(['pgbackrest', 'wal_g', 'barman', 'command']);

/**
 * A backup config poolgate cannot act on: what is missing or contradicts, as the operator wrote it. With the plan's
 * `hosts`, a `host` they do not name is one too (how to reach it is not known).
 */
export function backupConfigProblem(cfg: BackupConfig, hosts?: Record<string, unknown>): string | null {
  const source = cfg.source ?? 'pgbackrest';
  if (source === 'command' && !cfg.command)
    return 'preflight.backup.source is "command" but preflight.backup.command is not set';
  if (source === 'file' && !cfg.file) return 'preflight.backup.source is "file" but preflight.backup.file is not set';
  if (source === 'pg_basebackup' && !cfg.path)
    return 'preflight.backup.source is "pg_basebackup" but preflight.backup.path (the pg_basebackup target folder) is not set';
  if (cfg.host !== undefined && !COMMAND_SOURCES.has(source))
    return `preflight.backup.host runs the backup tool's listing on that host: it applies to pgbackrest, wal_g, barman and command, not to ${source}`;
  if (cfg.host !== undefined && hosts && !(cfg.host in hosts))
    return `preflight.backup.host is ${cfg.host}, which the plan's hosts do not name: how to reach it is not known`;
  return null;
}

/**
 * The newest backup from the configured source, except `pg_stat_archiver` (read with the database probes: null).
 * A source that cannot be read throws a MeasureError: "could not measure", never "no backup". `runner` reaches
 * `cfg.host` when the config names one.
 */
export async function findBackup(cfg: BackupConfig, runner?: HostRunner): Promise<BackupFinding | null> {
  const problem = backupConfigProblem(cfg);
  if (problem) throw new InputError(problem);
  const source = cfg.source ?? 'pgbackrest';
  const timeoutMs = (cfg.timeout_s ?? 60) * 1000;
  let run = localListing;
  if (cfg.host !== undefined) {
    if (!runner) throw new InputError(`preflight.backup.host is ${cfg.host}, but no plan says how to reach it`);
    run = hostListing(runner, cfg.host);
  }
  const onHost = (f: BackupFinding): BackupFinding =>
    cfg.host === undefined ? f : { ...f, detail: `${f.detail} (on ${cfg.host})` };
  switch (source) {
    case 'pg_stat_archiver':
      return null;
    case 'file':
      return backupFromFile(cfg.file!);
    case 'pg_basebackup':
      return backupFromBaseBackupDir(cfg.path!);
    case 'command':
      return onHost(await backupFromCommand(cfg.command!, timeoutMs, 'command', newestFromBackupJson, run));
    default:
      return onHost(
        await backupFromCommand(cfg.command ?? TOOL_COMMANDS[source], timeoutMs, source, TOOL_PARSERS[source], run),
      );
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
