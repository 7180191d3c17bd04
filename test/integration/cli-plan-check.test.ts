import t from 'tap';
import { useLab } from '../helpers/lab';
import { labPlan, runCli, writePlan } from './cli-support';

interface InForce {
  name: string;
  config: { pool: { max: number; min: number }; sha256: string } | null;
  error: string | null;
}

t.test('plan check --in-force on the lab', async (t) => {
  const lab = await useLab(t);

  t.test('reads what every target runs, at once, and names the one that does not answer', async (t) => {
    const dir = t.testdir();
    const plan = labPlan(lab, dir) as { targets: Array<{ name: string; url: string; role?: string }> };
    plan.targets.push({ name: 'ghost', url: `http://${lab.net}.99:3000`, role: 'standby' });
    const r = await runCli(['plan', 'check', '--plan', writePlan(dir, plan), '--in-force', '--json']);
    t.equal(r.code, 0, r.stderr);
    const seen = (r.json as { in_force: InForce[] }).in_force;
    t.same(
      seen.map((i) => i.name),
      ['standby-1', 'standby-2', 'primary-1', 'primary-2', 'ghost'],
      'every target, in plan order',
    );
    for (const i of seen.slice(0, 4)) {
      t.same(
        i.config?.pool && { max: i.config.pool.max, min: i.config.pool.min },
        { max: 50, min: 10 },
        `${i.name} runs the baseline`,
      );
      t.match(i.config?.sha256, /^[0-9a-f]{64}$/);
      t.equal(i.error, null);
    }
    t.equal(seen[4]!.config, null, 'the ghost has no config');
    t.match(seen[4]!.error, /.+/, `and says why: ${seen[4]!.error}`);
  });

  t.test('without --in-force nothing is read', async (t) => {
    const dir = t.testdir();
    const r = await runCli(['plan', 'check', '--plan', writePlan(dir, labPlan(lab, dir)), '--json']);
    t.equal(r.code, 0, r.stderr);
    t.notOk('in_force' in (r.json as object));
  });
});
