import yargs from 'yargs';
import { commands, type AnyCommand } from './commands';
import { readManifest } from './commands/manifest';
import { takeHandedPassword } from './lib/db-password';
import { exitCodeOf, InputError, PoolgateError } from './lib/errors';
import { errorText } from './lib/error-text';

/**
 * The poolgate entry: the only place that maps errors to exit codes (0 passed, 1 gate failed, 2 bad input,
 * 3 could not measure). Commands set `process.exitCode` themselves for a verdict and throw for everything else.
 */
export async function main(argv: string[]): Promise<void> {
  takeHandedPassword();
  let cli = yargs(argv)
    .scriptName('poolgate')
    .usage('$0 <command> [options]\n\nChange a database connection pool safely, with proof.')
    .strict()
    .demandCommand(1, 'Name a command: poolgate --help lists them.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    // Thrown, not only reported: for a subcommand (`lb wait`) yargs would otherwise go on to run its handler.
    .fail((msg, err) => {
      if (err) throw err;
      throw new InputError(`${msg}\nRun with --help for usage.`, 'E_USAGE');
    });
  for (const command of await commandsFor(argv)) cli = cli.command(command);
  try {
    await cli.parseAsync();
  } catch (err) {
    const code = exitCodeOf(err);
    const label = err instanceof PoolgateError ? err.code : 'E_UNEXPECTED';
    const message = errorText(err);
    process.stderr.write(`poolgate: ${label}: ${message}\n`);
    if (!(err instanceof PoolgateError) && err instanceof Error && process.env.POOLGATE_DEBUG) {
      process.stderr.write(`${err.stack ?? ''}\n`);
    }
    process.exitCode = code;
  }
}

/**
 * The command the user named is loaded in full; the others are listed from the build's manifest (name and
 * description only), so a command never pays for another's dependencies. Without a manifest, all are loaded.
 */
async function commandsFor(argv: string[]): Promise<AnyCommand[]> {
  const manifest = readManifest();
  const named = argv.find((a) => !a.startsWith('-'));
  if (!manifest) return Promise.all(commands.map((c) => c.load()));
  return Promise.all(
    commands.map(async (c): Promise<AnyCommand> => {
      if (c.name === named) return c.load();
      const m = manifest.find((e) => e.name === c.name)!;
      return { command: m.command, describe: m.describe, builder: {}, handler: () => undefined };
    }),
  );
}

if (require.main === module) {
  void main(process.argv.slice(2));
}
