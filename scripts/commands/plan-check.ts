import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { readInForce } from '../lib/in-force';
import { printResult } from '../lib/output';
import { loadPlan } from '../lib/plan';
import { errorsOf, planProblems, warningsOf } from '../lib/plan-check';
import { ALLOWANCE_S, commandBounds } from '../lib/time-bounds';

interface PlanCheckArgs {
  plan: string;
  inForce: boolean;
  json: boolean;
}

/**
 * `poolgate plan check --plan <file>`: the plan rendered from an inventory is checked before any host is
 * touched — its schema (every section) and the semantic rules (min <= max, timeouts, steps, unique targets) —
 * and says how long each command of the rollout may run (`bounds`, which the poolgate role passes as its timeout).
 */
const check: CommandModule<object, PlanCheckArgs> = {
  command: 'check',
  describe:
    "Check a plan file against schemas/plan.schema.json and the pool-change rules (exit 2 names the field); print each command's time bound",
  builder: (y: Argv) =>
    y
      .option('plan', { type: 'string', demandOption: true, describe: 'Plan file (schemas/plan.schema.json)' })
      .option('in-force', {
        type: 'boolean',
        default: false,
        describe:
          'Also read what every target runs (/api/health/pool-config); a target that does not answer is reported, not an error',
      })
      .option('evidence-dir', {
        type: 'string',
        describe: 'Accepted for symmetry with the other commands; nothing is written',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .example('$0 plan check --plan evidence/20260201T023000Z-change/plan.json', 'Check the plan Ansible rendered')
      .example('$0 plan check --plan my-plan.json --json', 'The same, for machines')
      .example(
        '$0 plan check --plan my-plan.json --in-force --json',
        "And what every target runs now (the playbook's first read)",
      ) as unknown as Argv<PlanCheckArgs>,
  handler: async (args) => {
    const plan = loadPlan(args.plan);
    const problems = planProblems(plan);
    const errors = errorsOf(problems);
    if (errors.length > 0) {
      throw new InputError(
        `plan ${args.plan} is invalid:\n  - ${errors.map((e) => `${e.message} (${e.rule})`).join('\n  - ')}`,
        'E_PLAN',
      );
    }
    const warnings = warningsOf(problems).map((w) => w.message);
    const bounds = commandBounds(plan);
    const summary = `plan ${args.plan} is valid: ${plan.targets.length} targets, pool max ${plan.change.from.max} → ${plan.change.to.max}, min ${plan.change.from.min} → ${plan.change.to.min}`;
    const inForce = args.inForce ? await readInForce(plan.targets, 5000) : null;
    const lines =
      inForce?.map((i) =>
        i.config
          ? `${i.name}: runs max ${i.config.pool.max} / min ${i.config.pool.min} (sha256 ${i.config.sha256.slice(0, 12)})`
          : `${i.name}: did not answer: ${i.error}`,
      ) ?? [];
    const boundLines = Object.entries(bounds).map(
      ([c, b]) => `bound: ${c} ${b.bound_s} s = ${b.basis} + ${ALLOWANCE_S} s allowance`,
    );
    printResult(args, { ok: true, summary, warnings, bounds, ...(inForce ? { in_force: inForce } : {}) }, () =>
      [summary, ...warnings.map((w) => `warning: ${w}`), ...boundLines, ...lines].join('\n'),
    );
  },
};

export const planCommand: CommandModule = {
  command: 'plan <command>',
  describe: 'Work with plan files',
  builder: (y: Argv) => y.command(check).demandCommand(1),
  handler: () => undefined,
};
