import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { printResult } from '../lib/output';
import { loadPlan } from '../lib/plan';
import { errorsOf, planProblems, warningsOf } from '../lib/plan-check';

interface PlanCheckArgs {
  plan: string;
  json: boolean;
}

/**
 * `poolgate plan check --plan <file>`: the plan rendered from an inventory is checked before any host is
 * touched — its schema (every section) and the semantic rules (min <= max, timeouts, steps, unique targets).
 */
const check: CommandModule<object, PlanCheckArgs> = {
  command: 'check',
  describe: 'Check a plan file against schemas/plan.schema.json and the pool-change rules (exit 2 names the field)',
  builder: (y: Argv) =>
    y
      .option('plan', { type: 'string', demandOption: true, describe: 'Plan file (schemas/plan.schema.json)' })
      .option('evidence-dir', { type: 'string', describe: 'Accepted for symmetry with the other commands; nothing is written' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .example('$0 plan check --plan evidence/20260201T023000Z-change/plan.json', 'Check the plan Ansible rendered')
      .example('$0 plan check --plan my-plan.json --json', 'The same, for machines') as unknown as Argv<PlanCheckArgs>,
  handler: (args) => {
    const plan = loadPlan(args.plan);
    const problems = planProblems(plan);
    const errors = errorsOf(problems);
    if (errors.length > 0) {
      throw new InputError(`plan ${args.plan} is invalid:\n  - ${errors.map((e) => `${e.message} (${e.rule})`).join('\n  - ')}`, 'E_PLAN');
    }
    const warnings = warningsOf(problems).map((w) => w.message);
    const summary = `plan ${args.plan} is valid: ${plan.targets.length} targets, pool max ${plan.change.from.max} → ${plan.change.to.max}, min ${plan.change.from.min} → ${plan.change.to.min}`;
    printResult(args, { ok: true, summary, warnings }, () => [summary, ...warnings.map((w) => `warning: ${w}`)].join('\n'));
  },
};

export const planCommand: CommandModule = {
  command: 'plan <command>',
  describe: 'Work with plan files',
  builder: (y: Argv) => y.command(check).demandCommand(1),
  handler: () => undefined,
};
