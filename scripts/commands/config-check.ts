import fs from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { printResult } from '../lib/output';
import { errorsOf, poolConfigProblems, warningsOf } from '../lib/plan-check';
import { assertValid } from '../lib/schema';
import type { PoolConfig } from '../types/pool-config';

interface ConfigCheckArgs {
  file: string;
  json: boolean;
}

/**
 * `poolgate config check <file>`: Ansible's template `validate:` runs it on a candidate pool config before it
 * replaces the one in force, so a file the service would refuse is never installed.
 */
const check: CommandModule<object, ConfigCheckArgs> = {
  command: 'check <file>',
  describe: 'Check a pool config file against schemas/pool-config.schema.json and min <= max (exit 2 names the field)',
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'The pool config file (JSON)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .example(
        '$0 config check /etc/ledger/pool.json',
        'Check a config before installing it',
      ) as unknown as Argv<ConfigCheckArgs>,
  handler: (args) => {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(args.file, 'utf8'));
    } catch (err) {
      throw new InputError(`cannot read pool config ${args.file}: ${(err as Error).message}`, 'E_CONFIG_READ');
    }
    const cfg = assertValid<PoolConfig>('pool-config', raw, `pool config ${args.file}`);
    const problems = poolConfigProblems(cfg);
    const errors = errorsOf(problems);
    if (errors.length > 0) {
      throw new InputError(
        `pool config ${args.file} is invalid:\n  - ${errors.map((e) => `${e.message} (${e.rule})`).join('\n  - ')}`,
        'E_CONFIG',
      );
    }
    const warnings = warningsOf(problems).map((w) => w.message);
    const summary = `pool config ${args.file} is valid: min ${cfg.min}, max ${cfg.max}`;
    printResult(args, { ok: true, summary, warnings }, () =>
      [summary, ...warnings.map((w) => `warning: ${w}`)].join('\n'),
    );
  },
};

export const configCommand: CommandModule = {
  command: 'config <command>',
  describe: 'Work with pool config files',
  builder: (y: Argv) => y.command(check).demandCommand(1),
  handler: () => undefined,
};
