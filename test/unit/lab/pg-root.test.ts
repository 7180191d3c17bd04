import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { pgRootFor } from '../../../lab/lab-config';

function tempTree(t: Test, mode: number): string {
  // Under /tmp, not tap's fixtures: every ancestor of /tmp is traversable, so the only private folder is ours.
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-root-'));
  t.teardown(() => fs.rmSync(top, { recursive: true, force: true }));
  fs.chmodSync(top, mode);
  fs.mkdirSync(path.join(top, 'checkout'));
  return path.join(top, 'checkout');
}

t.test('PostgreSQL lives in the checkout when the postgres user can walk down to it', async (t) => {
  const checkout = tempTree(t, 0o755);
  const state = path.join(checkout, 'lab', '.run', '3');
  t.equal(pgRootFor(state, 3, {}, checkout), path.join(state, 'pg'));
});

t.test('a checkout under a private folder puts PostgreSQL under /var/tmp, named for the checkout', async (t) => {
  const checkout = tempTree(t, 0o700);
  const a = pgRootFor('/x/lab/.run/0', 0, {}, checkout);
  const b = pgRootFor('/x/lab/.run/0', 0, {}, path.join(path.dirname(checkout), 'other'));
  t.match(a, /^\/var\/tmp\/poolgate-lab-[0-9a-f]{10}\/0$/);
  t.not(a, b, 'two checkouts never share a cluster');
});

t.test('POOLGATE_LAB_PG_ROOT overrides, per slot', async (t) => {
  t.equal(pgRootFor('/x', 4, { POOLGATE_LAB_PG_ROOT: '/srv/pg' }), '/srv/pg/4');
});
