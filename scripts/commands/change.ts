import fs from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { locateChange } from '../lib/change-commit';
import { InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { evidenceFile } from '../lib/run-evidence';
import { printResult } from '../lib/output';
import { loadPlan } from '../lib/plan';
import { prepareRevert } from '../lib/revert-prepare';
import { judgeRepeat } from '../lib/run-history';
import { rolloutEvents } from '../lib/incident-evidence';

/**
 * `poolgate change locate|revert|history`: the change as the inventory's git history carries it. locate names the
 * commit that set pool_scaling_to; revert prepares, after a rollback, the commit that makes the inventory agree with
 * the fleet (a branch, never pushed); history refuses to make again a change the last run on this fleet rolled
 * back, unless retried with a reason.
 */
interface Common {
  plan?: string;
  evidenceDir?: string;
  json: boolean;
}

const planOf = (args: Common): ReturnType<typeof loadPlan> => {
  const file = args.plan ?? (args.evidenceDir ? path.join(args.evidenceDir, 'plan.json') : undefined);
  if (!file) throw new InputError('give --plan (or --evidence-dir holding plan.json)');
  return loadPlan(file);
};

const common = (y: Argv): Argv =>
  y
    .option('plan', { type: 'string', describe: "The run's plan (default: plan.json in --evidence-dir)" })
    .option('evidence-dir', { type: 'string', describe: "The run's evidence folder" })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' });

const locate: CommandModule<object, Common & { inventory: string }> = {
  command: 'locate',
  describe: "Name the commit that set the inventory's pool_scaling_to to the plan's change.to (informational, exit 0)",
  builder: (y: Argv) =>
    common(y)
      .option('inventory', {
        type: 'string',
        demandOption: true,
        describe: 'The inventory folder (group_vars, host_vars)',
      })
      .example(
        '$0 change locate --inventory inventory/production --plan evidence/run1/plan.json',
        'Which commit carries the change',
      ) as unknown as Argv<Common & { inventory: string }>,
  handler: async (args) => {
    const loc = await locateChange(args.inventory, planOf(args).change.to);
    printResult(args, loc, () =>
      loc.change_commit
        ? `the change was made by ${loc.change_commit} ("${loc.subject}") in ${loc.path_in_repo}`
        : `no commit carries the change: ${loc.why}`,
    );
  },
};

interface RevertArgs extends Common {
  inventory: string;
  runId?: string;
  reason?: string;
  operator?: string;
  branch?: string;
}

const revert: CommandModule<object, RevertArgs> = {
  command: 'revert',
  describe:
    'After a rollback: prepare the commit that sets pool_scaling_to back to the values the fleet runs, on a new branch, never pushed (writes revert.json; exit 1 when it cannot)',
  builder: (y: Argv) =>
    common(y)
      .option('inventory', { type: 'string', demandOption: true, describe: 'The inventory folder' })
      .option('run-id', { type: 'string', describe: 'The rolled-back run (default: plan.run_id); names the branch' })
      .option('reason', { type: 'string', describe: "Why it was rolled back (default: the run's rollback_started)" })
      .option('operator', { type: 'string', describe: 'Who the commit is prepared for (default: plan.operator)' })
      .option('branch', { type: 'string', describe: 'Branch name (default poolgate/revert-<run-id>)' })
      .example(
        '$0 change revert --inventory inventory/production --evidence-dir evidence/20260201T023000Z-change',
        'Prepare poolgate/revert-20260201T023000Z-change; prints how to publish it',
      ) as unknown as Argv<RevertArgs>,
  handler: async (args) => {
    const plan = planOf(args);
    if (!args.evidenceDir) throw new InputError('give --evidence-dir: revert.json is written there');
    const ev = new EvidenceDir(args.evidenceDir);
    const runId = args.runId ?? plan.run_id ?? path.basename(ev.dir);
    const recorded = rolloutEvents(ev.dir).find((e) => e.action === 'rollback_started')?.reason;
    const r = await prepareRevert({
      inventoryDir: args.inventory,
      runId,
      from: plan.change.from,
      to: plan.change.to,
      reason: args.reason ?? recorded ?? 'rolled back (no reason recorded)',
      operator: args.operator ?? plan.operator ?? process.env.POOLGATE_OPERATOR ?? 'unknown operator',
      ...(args.branch ? { branch: args.branch } : {}),
    });
    ev.writeJson(evidenceFile('revert'), 'revert-result', r);
    printResult(args, r, () =>
      r.status === 'prepared'
        ? [
            `prepared ${r.commit!.slice(0, 12)} on branch ${r.branch} (not pushed): pool_scaling_to back to max ${r.values.from.max} / min ${r.values.from.min} in ${r.file}`,
            'publish it with one of:',
            ...r.publish.map((c) => `  ${c}`),
          ].join('\n')
        : r.status === 'already_agrees'
          ? `nothing to prepare: ${r.why}`
          : `REVERT NOT PREPARED: ${r.why}`,
    );
    process.exitCode = r.status === 'not_possible' ? 1 : 0;
  },
};

interface HistoryArgs extends Common {
  evidenceRoot?: string;
  retryReason?: string;
}

const history: CommandModule<object, HistoryArgs> = {
  command: 'history',
  describe:
    "Refuse (exit 1) a change the last run on this fleet rolled back, unless --retry-reason gives the operator's reason",
  builder: (y: Argv) =>
    common(y)
      .option('evidence-root', {
        type: 'string',
        describe: "The folder of every run's evidence (default: the parent of --evidence-dir)",
      })
      .option('retry-reason', {
        type: 'string',
        describe: 'Make the rolled-back change again on purpose: why (recorded in the evidence)',
      })
      .example(
        '$0 change history --plan evidence/run2/plan.json --evidence-dir evidence/run2',
        'Before any host is touched',
      )
      .example(
        '$0 change history --evidence-dir evidence/run2 --retry-reason "the slow query behind INC-42 is fixed"',
        'A deliberate retry',
      ) as unknown as Argv<HistoryArgs>,
  handler: (args) => {
    const plan = planOf(args);
    const root = args.evidenceRoot ?? (args.evidenceDir ? path.dirname(path.resolve(args.evidenceDir)) : undefined);
    if (!root) throw new InputError('give --evidence-root (or --evidence-dir, whose parent is the root)');
    if (!fs.existsSync(root)) throw new InputError(`evidence root ${root} does not exist`);
    const runId = plan.run_id ?? (args.evidenceDir ? path.basename(path.resolve(args.evidenceDir)) : '');
    const j = judgeRepeat(plan, root, runId, args.retryReason);
    printResult(args, j, () => `${j.refused ? 'REFUSED' : 'ok'}: ${j.message}`);
    process.exitCode = j.refused ? 1 : 0;
  },
};

export const changeCommand: CommandModule = {
  command: 'change <command>',
  describe:
    "The change in the inventory's git history: locate its commit, prepare its revert, refuse a rolled-back one",
  builder: (y: Argv) => y.command(locate).command(revert).command(history).demandCommand(1),
  handler: () => undefined,
};
