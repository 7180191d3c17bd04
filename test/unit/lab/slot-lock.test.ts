import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { withSlotLock } from '../../../lab/control/slot-lock';
import { labConfig } from '../../../lab/lab-config';

t.test('a second holder waits for the first; the lock is gone afterwards', async (t) => {
  const cfg = { ...labConfig({}), stateDir: t.testdir({}) };
  const order: string[] = [];
  const first = withSlotLock(cfg, async () => {
    order.push('first in');
    await sleep(300);
    order.push('first out');
  });
  await sleep(50);
  await withSlotLock(cfg, async () => void order.push('second'));
  await first;
  t.same(order, ['first in', 'first out', 'second']);
  t.notOk(fs.existsSync(path.join(cfg.stateDir, 'lab.lock')));
});

t.test('a lock left by a dead process is taken over; a live holder past the timeout is an error', async (t) => {
  const cfg = { ...labConfig({}), stateDir: t.testdir({ 'lab.lock': '999999999\n' }) };
  t.equal(await withSlotLock(cfg, async () => 'ran'), 'ran');
  fs.writeFileSync(path.join(cfg.stateDir, 'lab.lock'), `${process.pid}\n`);
  await t.rejects(
    withSlotLock(cfg, async () => 'never', 300),
    { part: 'lab', message: /holds/ },
  );
});
