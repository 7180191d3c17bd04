import t from 'tap';
import { useFleet } from '../helpers/fleet';
import { changeOnFleet } from '../helpers/fleet-change';

// A fleet rollout takes minutes on a shared 2-core machine.
t.setTimeout(1_800_000);

void t.test('pool change on the fleet by restart (systemctl restart) under reads and writes', async (t) => {
  await changeOnFleet(t, await useFleet(t), 'restart');
});
