import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ALLOWANCE_S, BOUNDED_COMMANDS, commandBounds } from '../../scripts/lib/time-bounds';
import type { Plan } from '../../scripts/types/plan';

const from = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const plan = (over: Partial<Plan> = {}): Plan => ({
  change: { from, to: { ...from, min: 20, max: 200 } },
  targets: [{ name: 'primary-1', url: 'http://127.0.0.21:3000', role: 'primary' }],
  ...over,
});

void t.test('a 60-minute monitor runs under a bound above 60 minutes', async (t) => {
  const b = commandBounds(plan({ monitor: { interval_s: 300, duration_s: 3600 } })).monitor;
  t.equal(b.configured_s, 3600);
  t.ok(b.bound_s > 3600, `bound ${b.bound_s} s > 3600 s`);
  t.equal(b.bound_s, 3600 + ALLOWANCE_S);
});

void t.test("the runbook's defaults when the plan says nothing: 60-minute monitor, 10-minute load test", async (t) => {
  const b = commandBounds(plan());
  t.equal(b.monitor.configured_s, 3600);
  t.equal(b.loadtest.configured_s, 600 + 10, 'duration 10m + grace (the 10 s request timeout)');
  t.equal(
    b.preflight.configured_s,
    60,
    'the default backup source (pgbackrest) runs its command, 60 s, beside the 10 s window',
  );
  t.equal(b.verify.configured_s, 10 + 120, 'the 10 s window and the 120 s verify may wait to judge a cold p95 again');
  t.same(Object.keys(b).sort(), [...BOUNDED_COMMANDS].sort(), 'every command the playbooks run has a bound');
  for (const [c, x] of Object.entries(b)) t.ok(x.bound_s >= x.configured_s + ALLOWANCE_S, `${c} fits its bound`);
});

void t.test('each configured duration moves its own bound', async (t) => {
  const b = commandBounds(
    plan({
      preflight: { window_s: 30, backup: { source: 'command', command: ['true'], timeout_s: 90 } },
      verify: { window_s: 45, warm_latency: { max_wait_s: 30 } },
      loadtest: { requests: 100, rate: 2, grace: '5s' },
    }),
  );
  t.equal(b.preflight.configured_s, 90, 'the backup command runs beside the 30 s window: the longer of the two');
  t.match(b.preflight.basis, /backup\.timeout_s 90/);
  t.equal(b.verify.configured_s, 45 + 30);
  t.match(b.verify.basis, /verify\.window_s 45 s \+ warm_latency\.max_wait_s 30 s/);
  t.equal(b.loadtest.configured_s, 50 + 5, '100 requests at 2/s = 50 s, + 5 s grace');
});

void t.test('a monitor section the monitor would refuse is refused here too', async (t) => {
  t.throws(() => commandBounds(plan({ monitor: { interval_s: 60, duration_s: 30 } })), /shorter than one interval/);
});

void t.test('every poolgate command a playbook or role runs is a bounded command', async (t) => {
  const root = path.join(__dirname, '..', '..');
  const yamlFiles = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => path.join(e.parentPath, e.name));
  const used = new Set<string>();
  for (const f of [...yamlFiles(path.join(root, 'playbooks')), ...yamlFiles(path.join(root, 'roles'))])
    for (const m of fs.readFileSync(f, 'utf8').matchAll(/^\s*poolgate_command:\s*(.+?)\s*$/gm)) {
      const value = m[1].replace(/^["']|["']$/g, '');
      // the role's empty default, and render-plan's loop over the bounds themselves
      if (value !== '' && !value.includes('{{')) used.add(value);
    }
  t.ok(used.has('monitor') && used.has('rollback-watch'), `found the playbooks' commands (${[...used].join(', ')})`);
  t.same(
    [...used].filter((c) => !(BOUNDED_COMMANDS as readonly string[]).includes(c)),
    [],
    'none runs under the 120 s default for lack of a bound',
  );
});
