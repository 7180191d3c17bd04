import t from 'tap';
import { mergeResults, sectionOf, type Check, type Results } from '../../../scripts/bench/results-merge';

const check = (name: string, pass = true): Check => ({ name, value: 'v', target: 't', pass });
const ALL = { loadgen: true, lab_throughput: true, probe: true, rollout: true, fleet_up: true, fleet_rollout: true, agent: true };

const previous: Results = {
  machine: { cpus: 2 },
  throughput: { old: true },
  startup_ms: { help: 400 },
  lab_throughput: { old: true, measured_at: 'then' },
  probe: { median_ms: 29, measured_at: 'then' },
  rollout: { sighup: {}, measured_at: 'then' },
  fleet_up: { cold_up_s: 70, measured_at: 'then' },
  checks: [
    check('throughput vs autocannon (closed loop)'),
    check('probe: one monitor sample (median)'),
    check('rollout by sighup (excl. load test + monitor)', false),
    check('rollback: trigger to rollback verified', false),
    check('fleet:up warm (image cached, machines stopped)'),
  ],
};

t.test('checks belong to sections by name', async (t) => {
  t.equal(sectionOf(check('probe: DB connections per sample')), 'probe');
  t.equal(sectionOf(check('rollout by restart (excl. load test + monitor)')), 'rollout');
  t.equal(sectionOf(check('rollback: trigger to rollback verified')), 'rollout');
  t.equal(sectionOf(check('start-up: poolgate --help (median)')), 'loadgen');
  t.equal(sectionOf(check('fleet:up cold (image build included)')), 'fleet_up');
  t.equal(sectionOf(check('fleet rollout by sighup vs the lab (excl. configured durations)')), 'fleet_rollout');
});

t.test('a full run replaces everything', async (t) => {
  const fresh: Results = {
    machine: { cpus: 4 },
    throughput: { new: true },
    lab_throughput: { new: true },
    probe: { new: true },
    rollout: { new: true },
    checks: [check('probe: x')],
  };
  const { merged, kept } = mergeResults(previous, fresh, ALL);
  t.same(kept, []);
  t.same(merged, fresh);
  t.notOk('startup_ms' in merged, 'a key the fresh run did not write is not carried over when its section ran');
});

t.test('--no-rollout keeps the last rollout figures and their checks, nothing else', async (t) => {
  const fresh: Results = {
    machine: { cpus: 4 },
    throughput: { new: true },
    lab_throughput: { new: true },
    probe: { new: true },
    checks: [check('probe: new')],
  };
  const { merged, kept } = mergeResults(previous, fresh, { ...ALL, rollout: false });
  t.same(kept, ['rollout']);
  t.same(merged.rollout, previous.rollout);
  t.same(merged.probe, { new: true });
  t.same(
    merged.checks.map((c) => c.name),
    ['probe: new', 'rollout by sighup (excl. load test + monitor)', 'rollback: trigger to rollback verified'],
  );
  t.same(
    fresh.checks.map((c) => c.name),
    ['probe: new'],
    'the fresh checks are not mutated',
  );
});

t.test('--skip-loadgen keeps the load-generator and lab-throughput figures', async (t) => {
  const fresh: Results = {
    machine: { cpus: 4 },
    probe: { new: true },
    rollout: { new: true },
    checks: [check('probe: new'), check('rollout by sighup (excl. load test + monitor)')],
  };
  const { merged, kept } = mergeResults(previous, fresh, {
    loadgen: false,
    lab_throughput: false,
    agent: false,
    probe: true,
    rollout: true,
    fleet_up: false,
    fleet_rollout: false,
  });
  t.same(kept, ['loadgen', 'lab_throughput', 'fleet_up']);
  t.same(merged.throughput, { old: true });
  t.same(merged.startup_ms, { help: 400 });
  t.same(merged.lab_throughput, previous.lab_throughput);
  t.same(merged.machine, { cpus: 4 });
  t.same(
    merged.checks.map((c) => c.name),
    [
      'probe: new',
      'rollout by sighup (excl. load test + monitor)',
      'throughput vs autocannon (closed loop)',
      'fleet:up warm (image cached, machines stopped)',
    ],
  );
});

t.test('no earlier file, or one without the section: nothing kept', async (t) => {
  const fresh: Results = { throughput: { new: true }, checks: [] };
  const off = { loadgen: true, lab_throughput: false, probe: false, rollout: false, fleet_up: false, fleet_rollout: false, agent: false };
  t.same(mergeResults(null, fresh, off), { merged: fresh, kept: [] });
  t.same(mergeResults({ throughput: { old: true } }, fresh, off).kept, []);
});
