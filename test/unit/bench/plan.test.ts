import path from 'node:path';
import t from 'tap';
import { InputError } from '../../../scripts/lib/errors';
import { busyWarning, DEFAULT_BENCH_SLOT, labAction, resolvePlan } from '../../../scripts/bench/plan';

const ROOT = '/repo';

t.test(
  "no flags: every section, on a lab of the bench's own slot, full-length figures into bench/results.json",
  async (t) => {
    const p = resolvePlan({}, {}, ROOT);
    t.same(p.sections, { loadgen: true, lab_throughput: true, probe: true, rollout: true, fleet_up: true, fleet_rollout: true, agent: true });
    t.equal(p.fleetSlot, 9);
    t.equal(p.needsLab, true);
    t.equal(p.slot, DEFAULT_BENCH_SLOT);
    t.equal(p.slot, 9);
    t.equal(p.slotFrom, 'default');
    t.match(p, {
      rounds: 5,
      seconds: 10,
      connections: 50,
      rate: 2000,
      stallMs: 1000,
      rssSeconds: 60,
      startupRuns: 11,
      probeSamples: 21,
    });
    t.equal(p.out, path.join(ROOT, 'bench', 'results.json'));
    t.equal(p.keepLab, false);
  },
);

t.test('the slot: --lab-slot over POOLGATE_LAB_SLOT over 9; out of range is bad input', async (t) => {
  t.match(resolvePlan({}, { POOLGATE_LAB_SLOT: '31' }, ROOT), { slot: 31, slotFrom: 'env' });
  t.match(resolvePlan({ labSlot: 12 }, { POOLGATE_LAB_SLOT: '31' }, ROOT), { slot: 12, slotFrom: 'flag' });
  t.match(resolvePlan({ labSlot: 0 }, {}, ROOT), { slot: 0, slotFrom: 'flag' });
  t.match(resolvePlan({}, { POOLGATE_LAB_SLOT: '' }, ROOT), { slot: 9, slotFrom: 'default' });
  t.throws(() => resolvePlan({ labSlot: 251 }, {}, ROOT), InputError);
  t.throws(() => resolvePlan({ labSlot: 2.5 }, {}, ROOT), InputError);
  t.throws(() => resolvePlan({}, { POOLGATE_LAB_SLOT: 'x' }, ROOT), /POOLGATE_LAB_SLOT/);
});

t.test('opt-outs: --no-rollout, --no-probe, --no-lab (no lab needed at all)', async (t) => {
  t.same(resolvePlan({ rollout: false }, {}, ROOT).sections, {
    loadgen: true,
    lab_throughput: true,
    probe: true,
    rollout: false,
    fleet_up: true, fleet_rollout: false, agent: true,
  });
  t.same(resolvePlan({ probe: false }, {}, ROOT).sections, {
    loadgen: true,
    lab_throughput: true,
    probe: false,
    rollout: true,
    fleet_up: true, fleet_rollout: true, agent: true,
  });
  const noLab = resolvePlan({ lab: false }, {}, ROOT);
  t.same(noLab.sections, { loadgen: true, lab_throughput: false, probe: false, rollout: false, fleet_up: false, fleet_rollout: false, agent: true });
  t.equal(noLab.needsLab, false);
  t.throws(() => resolvePlan({ lab: false, probe: true }, {}, ROOT), /--probe needs the lab/);
  t.throws(
    () => resolvePlan({ lab: false, probe: true, rollout: true }, {}, ROOT),
    /--probe and --rollout need the lab/,
  );
});

t.test('--skip-loadgen: only the probe and the rollout, still on the lab', async (t) => {
  const p = resolvePlan({ skipLoadgen: true }, {}, ROOT);
  t.same(p.sections, { loadgen: false, lab_throughput: false, probe: true, rollout: true, fleet_up: false, fleet_rollout: true, agent: false });
  t.equal(p.needsLab, true);
  t.same(resolvePlan({ skipLoadgen: true, probe: false }, {}, ROOT).sections, {
    loadgen: false,
    lab_throughput: false,
    probe: false,
    rollout: true,
    fleet_up: false, fleet_rollout: true, agent: false,
  });
  t.throws(() => resolvePlan({ skipLoadgen: true, lab: false }, {}, ROOT), /nothing to run/);
  t.throws(() => resolvePlan({ skipLoadgen: true, probe: false, rollout: false }, {}, ROOT), /nothing to run/);
});

t.test(
  '--quick: short defaults, no rollout unless asked, its own results file; explicit flags still win',
  async (t) => {
    const q = resolvePlan({ quick: true }, {}, ROOT);
    t.same(q.sections, { loadgen: true, lab_throughput: true, probe: true, rollout: false, fleet_up: false, fleet_rollout: false, agent: true });
    t.match(q, { rounds: 1, seconds: 2, rssSeconds: 5, startupRuns: 3, probeSamples: 5 });
    t.equal(q.out, path.join(ROOT, 'bench', 'quick', 'results.json'));
    const asked = resolvePlan({ quick: true, rollout: true, seconds: 4, out: '/tmp/x.json' }, {}, ROOT);
    t.equal(asked.sections.rollout, true);
    t.equal(asked.seconds, 4);
    t.equal(asked.rounds, 1);
    t.equal(asked.out, '/tmp/x.json');
  },
);

t.test('--only runs exactly the sections named; fleet-up alone needs no lab; unknown names are bad input', async (t) => {
  const fleet = resolvePlan({ only: ['fleet-up'] }, {}, ROOT);
  t.same(fleet.sections, {
    loadgen: false,
    lab_throughput: false,
    probe: false,
    rollout: false,
    fleet_up: true,
    fleet_rollout: false, agent: false,
  });
  t.equal(fleet.needsLab, false);
  t.same(resolvePlan({ only: ['probe', 'rollout'], fleetUp: true }, {}, ROOT).sections, {
    loadgen: false,
    lab_throughput: false,
    probe: true,
    rollout: true,
    fleet_up: false,
    fleet_rollout: false, agent: false,
  });
  const fleetRollout = resolvePlan({ only: ['fleet-rollout'] }, {}, ROOT);
  t.match(fleetRollout.sections, { rollout: false, fleet_rollout: true }, 'the fleet rollout alone');
  t.equal(fleetRollout.needsLab, false, "it sets the fleet beside the lab's last rollout figures, no lab needed");
  t.throws(() => resolvePlan({ only: ['fleet'] }, {}, ROOT), /--only: no section fleet \(sections: loadgen, /);
});

t.test('the fleet slot: --fleet-slot over POOLGATE_FLEET_SLOT over 9; out of range is bad input', async (t) => {
  t.equal(resolvePlan({}, { POOLGATE_FLEET_SLOT: '3' }, ROOT).fleetSlot, 3);
  t.equal(resolvePlan({ fleetSlot: 4 }, { POOLGATE_FLEET_SLOT: '3' }, ROOT).fleetSlot, 4);
  t.throws(() => resolvePlan({ fleetSlot: 300 }, {}, ROOT), /fleet slot must be a whole number 0\.\.250, got "300" \(--fleet-slot\)/);
  t.throws(() => resolvePlan({}, { POOLGATE_FLEET_SLOT: 'x' }, ROOT), /POOLGATE_FLEET_SLOT/);
});

t.test('--long is the 10-minute memory run, whatever --rss-seconds or --quick say', async (t) => {
  t.equal(resolvePlan({ long: true }, {}, ROOT).rssSeconds, 600);
  t.equal(resolvePlan({ long: true, rssSeconds: 5, quick: true }, {}, ROOT).rssSeconds, 600);
  t.equal(resolvePlan({ rssSeconds: 5 }, {}, ROOT).rssSeconds, 5);
});

t.test('numbers must be whole and positive (stall may be 0)', async (t) => {
  t.throws(() => resolvePlan({ rounds: 0 }, {}, ROOT), /--rounds must be/);
  t.throws(() => resolvePlan({ seconds: 1.5 }, {}, ROOT), /--seconds must be/);
  t.throws(() => resolvePlan({ rssSeconds: Number.NaN }, {}, ROOT), /--rss-seconds must be/);
  t.throws(() => resolvePlan({ stallMs: -1 }, {}, ROOT), /--stall-ms must be/);
  t.equal(resolvePlan({ stallMs: 0 }, {}, ROOT).stallMs, 0);
});

t.test('POOLGATE_LAB_KEEP=1 keeps a lab the bench started, as for the tests', async (t) => {
  t.equal(resolvePlan({}, { POOLGATE_LAB_KEEP: '1' }, ROOT).keepLab, true);
  t.equal(resolvePlan({}, { POOLGATE_LAB_KEEP: '0' }, ROOT).keepLab, false);
});

t.test('busy warning only when the 1-minute load average exceeds the cores', async (t) => {
  t.equal(busyWarning(2, 2), null);
  t.equal(busyWarning(0.3, 2), null);
  t.equal(
    busyWarning(11.234, 2),
    'WARNING: load average 11.23 at start exceeds the 2 cores: figures inflated: the machine is busy',
  );
  t.match(busyWarning(2.01, 2), /^WARNING: .*figures inflated: the machine is busy$/);
});

t.test(
  'lab action: use a healthy lab, start (and later stop) a lab that is down, complete a partial one',
  async (t) => {
    t.equal(labAction({ healthy: true, components: [{ pid: 1 }] }), 'use');
    t.equal(labAction({ healthy: false, components: [{}, {}, {}] }), 'start');
    t.equal(labAction({ healthy: false, components: [] }), 'start');
    t.equal(labAction({ healthy: false, components: [{}, { pid: 42 }] }), 'complete');
  },
);

t.test('--only agent: the agent section alone, no lab', async (t) => {
  const p = resolvePlan({ only: ['agent'] }, {}, ROOT);
  t.same(p.sections, {
    loadgen: false,
    lab_throughput: false,
    probe: false,
    rollout: false,
    fleet_up: false,
    fleet_rollout: false,
    agent: true,
  });
  t.equal(p.needsLab, false);
  t.equal(p.agentSeconds, 75, 'long enough to fill the 60 s window');
  t.equal(resolvePlan({ only: ['agent'], quick: true }, {}, ROOT).agentSeconds, 5);
  t.equal(resolvePlan({ agent: false }, {}, ROOT).sections.agent, false, '--no-agent opts out');
});
