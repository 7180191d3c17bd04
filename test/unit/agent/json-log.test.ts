import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { JsonLog, errorFields } from '../../../agent/json-log';

t.test('one JSON line per event, appended to the file', async (t) => {
  const file = path.join(t.testdir({}), 'service.log');
  const log = new JsonLog(file);
  log.log('info', 'reload_ok', { generation: 2 });
  log.close();
  log.log('info', 'after_close');
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  t.equal(lines.length, 1, 'nothing written after close');
  t.match(JSON.parse(lines[0]!), { level: 'info', event: 'reload_ok', generation: 2, ts: String });
});

t.test('"-" is stdout (journald under systemd), never closed', async (t) => {
  const writes: string[] = [];
  const original = fs.writeSync;
  t.teardown(() => void (fs.writeSync = original));
  fs.writeSync = ((fd: number, text: string) => {
    if (fd === 1) writes.push(text);
    return text.length;
  }) as typeof fs.writeSync;
  const log = new JsonLog('-');
  log.log('warn', 'pool_drain_deadline');
  log.close();
  t.equal(writes.length, 1);
  t.match(JSON.parse(writes[0]!), { event: 'pool_drain_deadline' });
});

t.test('error facts: message and code only', async (t) => {
  t.same(errorFields(Object.assign(new Error('too many clients'), { code: '53300' })), {
    message: 'too many clients',
    code: '53300',
  });
  t.same(errorFields('x'), { message: 'x' });
});
