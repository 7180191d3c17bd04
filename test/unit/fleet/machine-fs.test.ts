import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { accountIds, mountPoints, writeMachineFile } from '../../../lab/fleet/machine-fs';

t.test('mount points from mountinfo, octal escapes decoded', async (t) => {
  const dir = t.testdir({
    mountinfo: [
      '22 1 252:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '99 22 0:40 / /var/lib/poolgate/fleet/1/machines/db-1/root rw - overlay overlay rw,lowerdir=/x',
      '100 22 0:41 / /mnt/with\\040space rw - tmpfs tmpfs rw',
      '',
    ].join('\n'),
  });
  t.same(mountPoints(path.join(dir, 'mountinfo')), [
    '/',
    '/var/lib/poolgate/fleet/1/machines/db-1/root',
    '/mnt/with space',
  ]);
});

t.test(
  "a machine's file: written when content, mode or owner differ; owner from the machine's own accounts",
  async (t) => {
    const root = t.testdir({
      etc: {
        passwd: 'root:x:0:0::/root:/bin/sh\npostgres:x:105:109::/var/lib/postgresql:/bin/bash\n',
        group: 'root:x:0:\npostgres:x:109:\n',
      },
    });
    t.same(accountIds(root, 'postgres'), { uid: 105, gid: 109 });
    t.throws(() => accountIds(root, 'ledger'), /no user ledger/);
    const spec = { content: 'listen_addresses = x\n', mode: 0o640, owner: 'postgres' };
    t.equal(writeMachineFile(root, '/etc/postgresql/15/main/conf.d/a.conf', spec), true, 'created');
    t.equal(writeMachineFile(root, '/etc/postgresql/15/main/conf.d/a.conf', spec), false, 'unchanged');
    const st = fs.statSync(path.join(root, 'etc/postgresql/15/main/conf.d/a.conf'));
    t.same([st.mode & 0o7777, st.uid, st.gid], [0o640, 105, 109]);
    t.equal(writeMachineFile(root, '/etc/postgresql/15/main/conf.d/a.conf', { ...spec, mode: 0o600 }), true, 'mode');
    t.equal(
      writeMachineFile(root, '/etc/postgresql/15/main/conf.d/a.conf', { ...spec, content: 'y\n' }),
      true,
      'content',
    );
  },
);
