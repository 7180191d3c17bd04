import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { labConfig } from '../../lab/lab-config';
import { exitCodeOf, InputError } from '../lib/errors';
import { packageRoot } from '../lib/paths';
import { stopChildren } from './child';
import { agentCost } from './agent-cost';
import { extraSections } from './extras';
import { LabSession } from './lab-session';
import { labThroughput, loadgenSections } from './loadgen';
import { benchFleetUp } from './fleet-up';
import { benchFleetRollouts, type LabRolloutFigures } from './fleet-rollout';
import {
  busyWarning,
  DEFAULT_BENCH_FLEET_SLOT,
  DEFAULT_BENCH_SLOT,
  resolvePlan,
  SECTION_FLAGS,
  type BenchFlags,
  type BenchPlan,
  type Section,
} from './plan';
import { mergeResults, type Check, type Results } from './results-merge';

/**
 * `npm run bench` (issue 7): the load generator and the commands measured side by side in one run on this
 * machine, against targets the bench starts itself on loopback: a minimal server per section and a lab of its
 * own slot (brought up if it is not, brought down at the end only if the bench started it, also when a section
 * fails or the bench is interrupted). Ratios and medians are reported, not absolute numbers. Exit 1 when a
 * target is missed.
 */
async function main(): Promise<void> {
  const flags: BenchFlags = await yargs(process.argv.slice(2))
    .usage(
      'npm run bench [-- options]: everything issue 7 asks for, on a lab of its own (slot 9 unless POOLGATE_LAB_SLOT or --lab-slot)',
    )
    .option('rounds', { type: 'number', describe: 'Alternating rounds per peer, medians reported [5; --quick 1]' })
    .option('seconds', { type: 'number', describe: 'Duration of each throughput and stall run [10; --quick 2]' })
    .option('connections', { type: 'number', describe: 'Connections of every peer [50]' })
    .option('rate', {
      type: 'number',
      describe: 'Fixed arrival rate of the accuracy, stall and memory runs, req/s [2000]',
    })
    .option('stall-ms', {
      type: 'number',
      describe: 'How long the server freezes mid-run in the stall comparison [1000]',
    })
    .option('rss-seconds', { type: 'number', describe: 'Length of the memory run [60; --quick 5]' })
    .option('long', { type: 'boolean', describe: 'Memory run of 10 minutes (issue 7) instead of --rss-seconds' })
    .option('startup-runs', { type: 'number', describe: 'Runs per start-up figure [11; --quick 3]' })
    .option('lab', {
      type: 'boolean',
      describe:
        'The lab sections (throughput through HAProxy, probe, rollout) and the lab they need [on; --no-lab: the minimal-server sections only]',
    })
    .option('lab-slot', {
      type: 'number',
      describe: `Lab slot of the bench [POOLGATE_LAB_SLOT, else ${DEFAULT_BENCH_SLOT}]`,
    })
    .option('probe', {
      type: 'boolean',
      describe: 'Time one monitor sample of the lab (four instances + the database) and count its connections [on]',
    })
    .option('probe-samples', { type: 'number', describe: 'Timed monitor samples, median reported [21; --quick 5]' })
    .option('rollout', {
      type: 'boolean',
      describe: 'Time the lab rollout by SIGHUP, by restart and an automatic rollback (minutes) [on; --quick off]',
    })
    .option('skip-loadgen', {
      type: 'boolean',
      describe: 'Run only the probe and rollout; the other figures in --out are kept from its last run',
    })
    .option('fleet-up', {
      type: 'boolean',
      describe: 'Time fleet:up cold (image build included) and warm, fleet:down, and a running fleet\'s memory [on; --quick off]',
    })
    .option('fleet-rollout', {
      type: 'boolean',
      describe:
        "Time the rollout by SIGHUP and by restart on the fleet (over SSH) beside the lab's, as a ratio (minutes) [on with --rollout]",
    })
    .option('fleet-slot', {
      type: 'number',
      describe: `Fleet slot of the fleet:up figures (a fleet of the bench's own) [POOLGATE_FLEET_SLOT, else ${DEFAULT_BENCH_FLEET_SLOT}]`,
    })
    .option('only', {
      type: 'string',
      array: true,
      describe: `Run only these sections: ${Object.keys(SECTION_FLAGS).join(', ')}`,
    })
    .option('agent', {
      type: 'boolean',
      describe: "The agent's cost: a trivial handler's throughput with / without it, /api/health/metrics p99 at 1,000 req/s [on]",
    })
    .option('agent-seconds', {
      type: 'number',
      describe: 'Length of the 1,000 req/s run behind the metrics-read figure [75, so the 60 s window fills; --quick 5]',
    })
    .option('quick', {
      type: 'boolean',
      describe: 'Smoke run: every section once and briefly, no rollout, results in bench/quick/',
    })
    .option('out', { type: 'string', describe: 'Where the figures go [bench/results.json]' })
    .example('npm run bench', 'everything, full length (tens of minutes)')
    .example('npm run bench -- --quick', 'a fast smoke run of every section but the rollout')
    .example('npm run bench -- --no-rollout', 'everything but the minutes-long rollout (its last figures are kept)')
    .example('npm run bench -- --skip-loadgen', 'the probe cost and the rollout only')
    .example('npm run bench -- --only fleet-up', 'fleet:up cold and warm, fleet:down and the fleet\'s memory only')
    .example('npm run bench -- --only agent', "the agent's cost alone")
    .strict()
    .parseAsync();
  const plan = resolvePlan(flags, process.env, packageRoot);
  // Every part that follows (labConfig, labctl, ansible's lab inventory) reads the slot from the environment.
  process.env.POOLGATE_LAB_SLOT = String(plan.slot);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const lab = new LabSession(labConfig(), plan.keepLab, log);
  const interrupted = (signal: NodeJS.Signals, code: number) => (): void => {
    log(`bench: ${signal}: stopping`);
    stopChildren();
    void lab.close().finally(() => process.exit(code));
  };
  process.once('SIGINT', interrupted('SIGINT', 130));
  process.once('SIGTERM', interrupted('SIGTERM', 143));
  try {
    await run(plan, lab, log);
  } finally {
    await lab.close();
  }
}

async function run(plan: BenchPlan, lab: LabSession, log: (line: string) => void): Promise<void> {
  const cpus = os.cpus().length;
  const warning = busyWarning(os.loadavg()[0]!, cpus);
  const ran = Object.entries(plan.sections)
    .filter(([, on]) => on)
    .map(([s]) => s);
  log(
    `bench: ${ran.join(', ')} on lab slot ${plan.slot} (${plan.slotFrom === 'default' ? "the bench's default" : plan.slotFrom === 'flag' ? '--lab-slot' : 'POOLGATE_LAB_SLOT'})` +
      (plan.sections.fleet_up || plan.sections.fleet_rollout ? `, fleet slot ${plan.fleetSlot}` : ''),
  );
  if (warning) log(warning);
  const results: Record<string, unknown> = {
    machine: { cpus, node: process.version, loadavg_at_start: os.loadavg(), ...(warning ? { warning } : {}) },
    started_at: new Date().toISOString(),
  };
  // Up first: a lab that cannot come up fails the run before the minutes of load-generator sections.
  if (plan.needsLab) await lab.open();
  results.lab = { slot: plan.slot, started_by_bench: lab.startedHere };
  const checks: Check[] = [];
  const text: string[] = [];
  const add = (out: { results: Record<string, unknown>; checks: Check[]; text: string }): void => {
    Object.assign(results, out.results);
    checks.push(...out.checks);
    text.push(out.text);
  };
  if (plan.sections.loadgen) add(await loadgenSections(plan, `127.0.${plan.slot}.70`, log));
  if (plan.sections.lab_throughput) add(await labThroughput(plan, labConfig().haproxy.url, log));
  if (plan.sections.agent) add(await agentCost(plan, `127.0.${plan.slot}.71`, log));
  if (plan.sections.probe || plan.sections.rollout) {
    const extra = await extraSections(
      { probe: plan.sections.probe, probeSamples: plan.probeSamples, rollout: plan.sections.rollout },
      log,
    );
    add({ results: extra.results, checks: extra.checks.map((c) => c.check), text: extra.text });
  }
  if (plan.sections.fleet_up) add(await benchFleetUp(plan.fleetSlot, log));
  if (plan.sections.fleet_rollout) add(await benchFleetRollouts(plan.fleetSlot, labRolloutFigures(results, plan.out), log));
  results.machine = { ...(results.machine as object), loadavg_at_end: os.loadavg() };

  // Sections not run this time keep their last figures (the lab ones each carry their measured_at).
  const previous = fs.existsSync(plan.out) ? (JSON.parse(fs.readFileSync(plan.out, 'utf8')) as Partial<Results>) : null;
  const { merged, kept } = mergeResults(previous, { ...results, checks }, plan.sections);
  fs.mkdirSync(path.dirname(plan.out), { recursive: true });
  fs.writeFileSync(plan.out, `${JSON.stringify(merged, null, 2)}\n`);
  process.stdout.write(report(text, checks, kept, warning, plan.out));
  // Only what was measured now decides the exit code; kept figures are shown, not judged again.
  process.exitCode = checks.every((c) => c.pass) ? 0 : 1;
}

/** The lab's rollout times the fleet's are set beside: this run's, else the last ones in the results file. */
function labRolloutFigures(results: Record<string, unknown>, out: string): LabRolloutFigures {
  type Rollout = {
    sighup?: { timing?: { excluding_all_configured_s: number } };
    restart?: { timing?: { excluding_all_configured_s: number } };
    measured_at?: string;
  };
  const fromFile = (): Rollout | undefined =>
    fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as { rollout?: Rollout }).rollout : undefined;
  const r = (results.rollout as Rollout | undefined) ?? fromFile();
  return {
    ...(r?.sighup?.timing ? { sighup: r.sighup.timing.excluding_all_configured_s } : {}),
    ...(r?.restart?.timing ? { restart: r.restart.timing.excluding_all_configured_s } : {}),
    ...(r?.measured_at ? { measured_at: r.measured_at } : {}),
  };
}

function report(text: string[], checks: Check[], kept: Section[], warning: string | null, out: string): string {
  const rows = [
    ['check', 'value', 'target', 'verdict'],
    ...checks.map((c) => [c.name, c.value, c.target, c.pass ? 'PASS' : 'MISS']),
  ];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [
    '',
    ...(warning ? [warning, ''] : []),
    ...text,
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(w[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n'),
    '',
    ...(kept.length ? [`kept from an earlier run (not measured now): ${kept.join(', ')}`] : []),
    `results: ${out}`,
    '',
  ];
  return lines.join('\n');
}

main().catch((err: unknown) => {
  // Bad flags need their message only; anything else its stack, to find where a section broke.
  process.stderr.write(`bench: ${err instanceof InputError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exitCode = exitCodeOf(err);
});
