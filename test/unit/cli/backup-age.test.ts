import t from 'tap';
import { backupFromArchiver, backupFromFile, parseTimestampText } from '../../../scripts/lib/backup-age';
import { newestFromBackupJson } from '../../../scripts/lib/backup-listings';
import { MeasureError } from '../../../scripts/lib/errors';
import { backupItem } from '../../../scripts/lib/preflight-items';

t.test('WAL-G backup-list --json is oldest first: the newest is taken, not [0]', async (t) => {
  const list = [
    {
      backup_name: 'base_000000010000000000000002',
      time: '2026-01-29T01:00:00Z',
      wal_file_name: '000000010000000000000002',
    },
    {
      backup_name: 'base_000000010000000000000009',
      time: '2026-01-31T01:00:00Z',
      wal_file_name: '000000010000000000000009',
    },
    {
      backup_name: 'base_000000010000000000000005',
      time: '2026-01-30T01:00:00Z',
      wal_file_name: '000000010000000000000005',
    },
  ];
  const r = newestFromBackupJson(JSON.stringify(list));
  t.equal(r.newest_at, '2026-01-31T01:00:00.000Z');
  t.match(r.detail, /base_000000010000000000000009/);
});

t.test('WAL-G --detail: finish_time wins over time', async (t) => {
  const list = [
    {
      backup_name: 'a',
      time: '2026-01-31T05:00:00Z',
      start_time: '2026-01-31T01:00:00Z',
      finish_time: '2026-01-31T02:00:00Z',
    },
  ];
  t.equal(newestFromBackupJson(JSON.stringify(list)).newest_at, '2026-01-31T02:00:00.000Z');
});

t.test('pgBackRest info: the newest good backup per stanza, the stalest stanza decides', async (t) => {
  const info = [
    {
      name: 'main',
      status: { code: 0, message: 'ok' },
      backup: [
        { label: 'F1', type: 'full', timestamp: { start: 1769900000, stop: 1769900600 } },
        { label: 'I2', type: 'incr', timestamp: { start: 1769990000, stop: 1769990300 } },
        { label: 'I3', type: 'incr', error: true, timestamp: { start: 1769999000, stop: 1769999300 } },
      ],
    },
  ];
  t.equal(
    newestFromBackupJson(JSON.stringify(info)).newest_at,
    new Date(1769990300 * 1000).toISOString(),
    'a backup with errors does not count',
  );
  const two = [
    ...info,
    { name: 'other', status: { code: 0 }, backup: [{ timestamp: { start: 1, stop: 1769000000 } }] },
  ];
  t.equal(newestFromBackupJson(JSON.stringify(two)).newest_at, new Date(1769000000 * 1000).toISOString());
  const empty = [{ name: 'main', status: { code: 2, message: 'no valid backups' }, backup: [] }];
  t.equal(newestFromBackupJson(JSON.stringify(empty)).newest_at, null, 'a stanza without backups: none found');
});

t.test('unknown or broken JSON is "could not measure"', async (t) => {
  t.throws(() => newestFromBackupJson('not json'), MeasureError);
  t.throws(() => newestFromBackupJson('{"x":1}'), MeasureError);
  t.equal(newestFromBackupJson('[]').newest_at, null, 'an empty list: no backup');
});

t.test('timestamp files: ISO, epoch seconds, empty uses mtime, garbage fails', async (t) => {
  t.equal(parseTimestampText('2026-01-31T01:00:00Z\n')!.toISOString(), '2026-01-31T01:00:00.000Z');
  t.equal(parseTimestampText('1769821200')!.toISOString(), new Date(1769821200 * 1000).toISOString());
  t.equal(parseTimestampText('  '), null);
  t.throws(() => parseTimestampText('yesterday'), MeasureError);
  const dir = t.testdir({ stamp: '2026-01-31T01:00:00Z', empty: '' });
  t.equal(backupFromFile(`${dir}/stamp`).newest_at, '2026-01-31T01:00:00.000Z');
  t.match(backupFromFile(`${dir}/empty`).detail, /modification time/);
  t.throws(() => backupFromFile(`${dir}/missing`), MeasureError);
});

t.test('pg_stat_archiver: a failure newer than the last success is a problem', async (t) => {
  const ok = backupFromArchiver({
    archived_count: 10,
    last_archived_time: new Date('2026-01-31T01:00:00Z'),
    failed_count: 1,
    last_failed_time: new Date('2026-01-30T01:00:00Z'),
  });
  t.equal(ok.newest_at, '2026-01-31T01:00:00.000Z');
  t.equal(ok.problem, undefined);
  const failing = backupFromArchiver({
    archived_count: 10,
    last_archived_time: new Date('2026-01-31T01:00:00Z'),
    failed_count: 2,
    last_failed_time: new Date('2026-01-31T02:00:00Z'),
  });
  t.match(failing.problem, /failing since/);
  t.equal(
    backupFromArchiver({ archived_count: 0, last_archived_time: null, failed_count: 0, last_failed_time: null })
      .newest_at,
    null,
  );
});

t.test('backup age: strictly younger than 24 h (the runbook\'s "<")', async (t) => {
  const now = new Date('2026-02-01T02:00:00Z');
  const finding = (iso: string | null) => ({ source: 'file' as const, newest_at: iso, detail: 'x' });
  t.equal(backupItem(finding('2026-01-31T02:00:00.001Z'), now, 24).item.verdict, 'PASS', '1 ms under 24 h');
  t.equal(backupItem(finding('2026-01-31T02:00:00.000Z'), now, 24).item.verdict, 'FAIL', 'exactly 24 h');
  t.equal(backupItem(finding(null), now, 24).item.verdict, 'FAIL', 'no backup at all');
  const broken = { ...finding('2026-02-01T01:00:00Z'), problem: 'WAL archiving failing' };
  t.equal(backupItem(broken, now, 24).item.verdict, 'FAIL', 'fresh but archiving broken');
});

t.test('WAL archiving alone is a WARN, never a PASS', async (t) => {
  const now = new Date('2026-02-01T02:00:00Z');
  const archived = { source: 'pg_stat_archiver' as const, newest_at: '2026-02-01T01:59:00Z', detail: 'archived 10' };
  const wal = backupItem(archived, now, 24).item;
  t.equal(wal.verdict, 'WARN', 'a WAL segment archived a minute ago is not a base backup: WARN, never PASS');
  t.match(wal.detail, /not a base backup.*pgbackrest, wal_g, barman, pg_basebackup/);
  t.equal(backupItem({ ...archived, newest_at: '2026-01-30T01:00:00Z' }, now, 24).item.verdict, 'FAIL', 'stale: FAIL');
  t.equal(
    backupItem({ source: 'pg_basebackup', newest_at: '2026-02-01T01:00:00Z', detail: 'x' }, now, 24).item.verdict,
    'PASS',
    'a fresh base backup passes',
  );
});
