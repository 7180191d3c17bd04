import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { backupFromBaseBackupDir, findBackup, TOOL_COMMANDS, type BackupConfig } from '../../../scripts/lib/backup-age';
import { newestBaseBackup, parsePgTime, timeFromLabel } from '../../../scripts/lib/backup-basebackup';
import {
  newestFromBackupJson,
  newestFromBarman,
  parsePgBackRest,
  parseWalG,
} from '../../../scripts/lib/backup-listings';
import { InputError, MeasureError } from '../../../scripts/lib/errors';
import type { HostRunner } from '../../../scripts/lib/ssh';
import { packageRoot } from '../../../scripts/lib/paths';

/**
 * Each backup tool's listing, parsed from a fixture written in the tool's documented output format (values are
 * ours, the shape is the tool's). Where each format comes from:
 * - pgbackrest-info-unreadable.json: what `info --output=json` prints, exit 0, when the repository cannot be read
 *   (stanza status 99 "other", the reason in repo[].status; the stanza's name then shows as "[invalid]").
 * - pgbackrest-info.json: pgBackRest `info --output=json`, as rendered in pgBackRest's own
 *   pgbackrest/test/src/module/command/infoTest.c ("json - multiple stanzas, some with valid backups ..."; `error: true` for a
 *   backup with page checksum errors; `status.code 2 "no valid backups"`) and the user guide's monitoring section
 *   (`pgbackrest --output=json --stanza=demo info | jq '.[0] | .backup[-1] | .timestamp.stop'`, epoch seconds).
 * - walg-backup-list*.json: WAL-G `backup-list --json` is internal.BackupTime (backup_name, time, wal_file_name,
 *   storage_name; internal/backup_time.go); `--detail` adds postgres.ExtendedMetadataDto (start_time, finish_time,
 *   hostname, ...; internal/databases/postgres/backup_sentinel_dto.go). Listed oldest first.
 * - barman-list-backups.json: Barman `-f json list-backups`, JsonOutputWriter.result_list_backup in barman/output.py
 *   (server -> [{backup_id, backup_name?, backup_type, end_time_timestamp (a string of epoch seconds), end_time,
 *   size…, status, retention_status}]; a backup not done has only backup_id, backup_type, status).
 * - barman-list-backups.txt: Barman's console listing, ConsoleOutputWriter.result_list_backup in barman/output.py and
 *   docs/user_guide/catalog.rst ("svr_pg17 20240901T103000 - F - Mon Nov  2 15:12:03 2024 - Size: 820.0 MiB - WAL
 *   Size: 22 MiB"); the last line is the older format without the type label (Barman before 3.10).
 * - basebackup/: PostgreSQL's "Backup Manifest Format" chapter (PostgreSQL-Backup-Manifest-Version, Files[] with
 *   Path, Size, Last-Modified "in GMT", Checksum-Algorithm, Checksum; WAL-Ranges; Manifest-Checksum), and the
 *   backup_label lines written by xlogbackup.c build_backup_content (START TIME: %Y-%m-%d %H:%M:%S %Z in
 *   log_timezone). A real pg_basebackup of the lab is read by test/integration/cli-preflight.test.ts.
 */
const fixtures = path.join(packageRoot, 'test', 'fixtures', 'backup');
const read = (f: string): string => fs.readFileSync(path.join(fixtures, f), 'utf8');

t.test(
  'pgBackRest: newest good backup per stanza, an errored backup never counts, the stalest stanza decides',
  async (t) => {
    const both = parsePgBackRest(read('pgbackrest-info.json'));
    t.equal(both.newest_at, null, 'stanza "reporting" has no valid backup: no backup found');
    t.match(both.detail, /main 2026-01-31T01:00:12\.000Z, reporting none/);
    const main = JSON.parse(read('pgbackrest-info.json')).slice(0, 1);
    const r = parsePgBackRest(JSON.stringify(main));
    t.equal(r.newest_at, '2026-01-31T01:00:12.000Z', 'the incr of 31 Jan, not the errored incr of 1 Feb');
    t.same(newestFromBackupJson(JSON.stringify(main)), r, 'the command source recognises it');
  },
);

t.test("pgBackRest: a repository it could not read is could not measure, not 'no backup'", async (t) => {
  // info exits 0 with status 99 ("other") and backup: [] when it cannot read the repo; the reason is the repo's own.
  t.throws(
    () => parsePgBackRest(read('pgbackrest-info-unreadable.json')),
    { code: 'E_BACKUP_READ', message: /could not read stanza \[invalid\]: \[PathOpenError\] .*Permission denied/ },
    'a MeasureError naming why',
  );
  t.throws(() => newestFromBackupJson(read('pgbackrest-info-unreadable.json')), { code: 'E_BACKUP_READ' });
  const noBackup = [{ name: 'nobackup', backup: [], status: { code: 1, message: 'missing stanza path' } }];
  t.equal(parsePgBackRest(JSON.stringify(noBackup)).newest_at, null, 'a stanza never backed up is still no backup');
});

t.test('WAL-G: oldest first, the newest is taken; --detail reads finish_time', async (t) => {
  const plain = parseWalG(read('walg-backup-list.json'));
  t.equal(plain.newest_at, '2026-01-31T01:00:12.204Z');
  t.match(plain.detail, /newest of 2 is base_000000010000000000000021/);
  t.equal(parseWalG(read('walg-backup-list-detail.json')).newest_at, '2026-01-31T01:00:11.870Z', 'finish_time');
  t.same(parseWalG('[]'), { newest_at: null, detail: 'WAL-G: no backup listed' });
  t.equal(newestFromBackupJson(read('walg-backup-list-detail.json')).newest_at, '2026-01-31T01:00:11.870Z');
});

t.test('Barman JSON: only DONE backups, epoch seconds; the command source recognises it', async (t) => {
  const r = newestFromBarman(read('barman-list-backups.json'));
  t.equal(r.newest_at, '2026-01-31T01:01:05.000Z', 'the FAILED backup of 1 Feb does not count');
  t.match(r.detail, /^Barman: pg15 2026-01-31T01:01:05\.000Z$/);
  t.equal(newestFromBackupJson(read('barman-list-backups.json')).newest_at, '2026-01-31T01:01:05.000Z');
  t.equal(newestFromBarman('{"pg15": []}').newest_at, null, 'no backup at all');
});

t.test('Barman text: DONE lines only, read as UTC, the stalest server decides, either line format', async (t) => {
  const r = newestFromBarman(read('barman-list-backups.txt'));
  t.equal(r.newest_at, '2026-01-25T03:10:00.000Z', 'server "reports" (older format) is the stalest');
  t.match(
    r.detail,
    /pg15 2026-01-31T01:01:05\.000Z, reports 2026-01-25T03:10:00\.000Z \(text listing: end times read as UTC\)/,
  );
  const pg15 = read('barman-list-backups.txt')
    .split('\n')
    .filter((l) => l.startsWith('pg15'))
    .join('\n');
  t.equal(
    newestFromBarman(pg15).newest_at,
    '2026-01-31T01:01:05.000Z',
    'WAITING_FOR_WALS (31 Jan 23:04) cannot be restored yet; FAILED has no end',
  );
  t.equal(newestFromBarman('pg15 20260201T010000 - F - FAILED\n').newest_at, null, 'only a failed backup: none');
  t.throws(() => newestFromBarman('Traceback (most recent call last):'), MeasureError, 'an unknown line is unreadable');
});

t.test('pg_basebackup target: newest of its backups, by manifest (GMT) or backup_label (with its zone)', async (t) => {
  const r = newestBaseBackup(path.join(fixtures, 'basebackup'));
  t.equal(r.seen.length, 3, 'three backups; a folder with neither file is not one');
  t.equal(r.newest_at, '2026-01-31T01:00:02.000Z', "the manifest's backup_label Last-Modified of base-20260131");
  t.match(r.detail, /newest of 3 is base-20260131 \(backup_manifest\)/);
  const labelOnly = r.seen.find((s) => s.dir.endsWith('base-label-only'))!;
  t.equal(new Date(labelOnly.at).toISOString(), '2026-01-31T01:00:00.000Z', 'START TIME 03:00:00 +02 is 01:00 UTC');
  t.equal(
    backupFromBaseBackupDir(path.join(fixtures, 'basebackup', 'base-20260130')).newest_at,
    '2026-01-30T01:00:01.000Z',
  );
  t.equal(newestBaseBackup(path.join(fixtures, 'basebackup', 'not-a-backup')).newest_at, null, 'nothing: none found');
  t.throws(
    () => newestBaseBackup(path.join(fixtures, 'no-such-dir')),
    MeasureError,
    'an unreadable target: could not measure',
  );
  t.equal(parsePgTime('2026-01-31 01:00:00 UTC', 'x'), Date.UTC(2026, 0, 31, 1));
  t.equal(parsePgTime('2026-01-31 01:00:00 -05:30', 'x'), Date.UTC(2026, 0, 31, 6, 30));
  t.throws(
    () => timeFromLabel('START TIME: 2026-01-31 01:00:00 CET\n', 'x'),
    /ambiguous/,
    'an abbreviation is ambiguous',
  );
});

t.test('a tool source runs its command (argv, no shell) and parses its output', async (t) => {
  const dir = t.testdir({ 'walg.json': read('walg-backup-list-detail.json') });
  const f = await findBackup({ source: 'wal_g', command: ['cat', path.join(dir, 'walg.json')], timeout_s: 10 });
  t.same(f, {
    source: 'wal_g',
    newest_at: '2026-01-31T01:00:11.870Z',
    detail: 'WAL-G: newest of 2 is base_000000010000000000000021',
  });
  const barman = await findBackup({
    source: 'barman',
    command: ['cat', path.join(fixtures, 'barman-list-backups.txt')],
  });
  t.equal(barman?.source, 'barman');
  await t.rejects(
    findBackup({ source: 'pgbackrest', command: ['false'], timeout_s: 5 }),
    MeasureError,
    'a failing command is could-not-measure',
  );
  t.same(
    TOOL_COMMANDS,
    {
      pgbackrest: ['pgbackrest', 'info', '--output=json'],
      wal_g: ['wal-g', 'backup-list', '--json', '--detail'],
      barman: ['barman', '-f', 'json', 'list-backups', 'all'],
    },
    "each tool's documented listing command by default",
  );
  t.equal(await findBackup({ source: 'pg_stat_archiver' }), null, 'read with the database probes, not here');
});

t.test("with host, the listing runs on that inventory host, over the plan's connection to it", async (t) => {
  const ran: Array<{ host: string | null; script: string; timeoutMs: number }> = [];
  const runner: HostRunner = {
    run: (host, script, opts) => {
      ran.push({ host, script, timeoutMs: opts.timeoutMs });
      return Promise.resolve(read('pgbackrest-info.json'));
    },
    close: () => Promise.resolve(),
  };
  const cfg: BackupConfig = {
    source: 'pgbackrest',
    host: 'db-1',
    command: ['sudo', '-n', '-u', 'postgres', 'pgbackrest', '--stanza=main', 'info', '--output=json'],
    timeout_s: 20,
  };
  const f = await findBackup(cfg, runner);
  t.same(
    ran,
    [{ host: 'db-1', script: 'sudo -n -u postgres pgbackrest --stanza=main info --output=json', timeoutMs: 20_000 }],
    'one run on db-1, the argv as one shell line',
  );
  t.equal(f?.newest_at, parsePgBackRest(read('pgbackrest-info.json')).newest_at, "parsed as pgBackRest's JSON");
  t.match(f?.detail, / \(on db-1\)$/, 'the evidence says where it was read');
  const quoted = await findBackup(
    { source: 'command', host: 'db-1', command: ['cat', "/var/backups/it's.json"] },
    runner,
  );
  t.equal(ran.at(-1)?.script, "cat '/var/backups/it'\\''s.json'", 'each word quoted for the shell');
  t.equal(quoted?.source, 'command');

  await t.rejects(findBackup({ source: 'file', file: '/x', host: 'db-1' }, runner), InputError, 'not for a file');
  await t.rejects(findBackup({ source: 'pgbackrest', host: 'db-1' }), InputError, 'nor without a way to reach it');
  const failing: HostRunner = { ...runner, run: () => Promise.reject(new MeasureError('ssh: no route', 'E_SSH')) };
  await t.rejects(findBackup(cfg, failing), MeasureError, 'an unreachable host is could-not-measure');
});
