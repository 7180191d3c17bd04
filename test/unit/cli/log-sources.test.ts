import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { journalEntry, readLog, summariseEntries } from '../../../scripts/lib/log-scan';
import { hostRunner } from '../../../scripts/lib/ssh';

const journal = (message: string | number[], priority: number, atMs: number, messageId?: string): string =>
  JSON.stringify({
    __REALTIME_TIMESTAMP: String(atMs * 1000),
    MESSAGE: message,
    PRIORITY: String(priority),
    ...(messageId ? { MESSAGE_ID: messageId } : {}),
  });

void t.test('a journald entry: a JSON MESSAGE is the service line; plain text is judged by PRIORITY', async (t) => {
  const at = Date.parse('2026-02-01T02:00:05Z');
  t.same(journalEntry(journal('{"ts":"2026-02-01T02:00:04.000Z","level":"error","event":"pool_error"}', 6, at)), {
    ts: '2026-02-01T02:00:04.000Z',
    level: 'error',
    event: 'pool_error',
  });
  t.same(journalEntry(journal('{"level":"info","event":"pool_swapped"}', 6, at)), {
    level: 'info',
    event: 'pool_swapped',
    time: at,
  });
  t.same(journalEntry(journal('Segmentation fault', 3, at)), { time: at, level: 'error', msg: 'Segmentation fault' });
  t.same(journalEntry(journal([104, 105], 4, at)), { time: at, level: 'warn', msg: 'hi' }, 'a MESSAGE in bytes');
  t.equal(journalEntry('not json'), null);
  t.same(
    journalEntry(journal("ledger.service: Failed with result 'signal'.", 4, at, 'd9b373ed55a64feb8242e02dbe79a49c')),
    { time: at, level: 'error', msg: "ledger.service: Failed with result 'signal'." },
    "systemd's record of the unit failing is an error, whatever its priority",
  );
  t.same(
    journalEntry(journal('Stopped ledger.service.', 6, at, '9d1aaa27d60140bd96365438aad20286')),
    { time: at, level: 'info', msg: 'Stopped ledger.service.' },
    'a clean stop is not',
  );
});

void t.test('journal entries summarise like log lines: errors since the given time', async (t) => {
  const since = new Date('2026-02-01T02:00:00Z');
  const entries = [
    journal('{"level":"error","event":"db_error","message":"too many clients"}', 6, since.getTime() - 1000),
    journal('{"level":"info","event":"pool_swapped","pool":{"max":200}}', 6, since.getTime() + 1000),
    journal('Out of memory', 2, since.getTime() + 2000),
  ].map(journalEntry);
  const s = summariseEntries('primary-1', 'journalctl -u ledger.service', entries, since, 20);
  t.equal(s.lines_read, 2, 'the line before since is not counted');
  t.equal(s.error_lines, 1);
  t.equal(s.pool_lines, 1);
  t.match(s.last_errors[0], { level: 'error', msg: 'Out of memory' });
});

void t.test("a log file is read on its host by the runner's script (here the control node)", async (t) => {
  const dir = t.testdir({});
  const file = path.join(dir, 'service log.jsonl');
  fs.writeFileSync(
    file,
    `${JSON.stringify({ ts: '2026-02-01T02:00:01Z', level: 'error', event: 'x' })}\n${JSON.stringify({ ts: '2026-02-01T02:00:02Z', level: 'info', event: 'pool' })}\n`,
  );
  const runner = hostRunner({});
  const run = (script: string, what: string) => runner.run(null, script, { what, timeoutMs: 5000 });
  const s = await readLog('p1', { file }, run, new Date('2026-02-01T02:00:00Z'), 5);
  t.match(s, { path: file, lines_read: 2, error_lines: 1, pool_lines: 1, truncated: false });
  await t.rejects(readLog('p1', { file: path.join(dir, 'missing') }, run, null, 5), {
    code: 'E_HOST_COMMAND',
    message: /cannot read .*missing: no such file or no permission/,
  });
});
