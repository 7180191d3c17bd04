import type { Argv, CommandModule } from 'yargs';
import { checklistMessage, verdictOf } from '../lib/checklist';
import { poolgateVersion } from '../lib/command-inputs';
import { checkTargets, type ContractTarget } from '../lib/contract/check';
import { InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { evidenceFile } from '../lib/run-evidence';
import { exitCodeOfVerdict, shownVerdict } from '../lib/verdict';
import { printResult, progress, progressDone } from '../lib/output';
import { loadPlan } from '../lib/plan';
import { assertValid } from '../lib/schema';
import type { ContractCheckResult } from '../types/contract-check-result';
import type { Targets } from '../types/targets';

interface Args {
  url?: string;
  name?: string;
  tokenFile?: string;
  tokenEnv?: string;
  target?: string[];
  plan?: string;
  reloadCmd?: string;
  reloadTimeoutS: number;
  intervalMs: number;
  timeoutMs: number;
  evidenceDir?: string;
  operator?: string;
  json: boolean;
}

function builder(y: Argv): Argv<Args> {
  return y
    .option('url', { type: 'string', describe: 'One instance: its base URL (with its path prefix, if any)' })
    .option('name', { type: 'string', describe: 'Its name in the output (default: the host of --url)' })
    .option('token-file', { type: 'string', describe: "With --url: a file holding the instance's bearer token" })
    .option('token-env', { type: 'string', describe: 'With --url: the environment variable holding that token' })
    .option('plan', {
      type: 'string',
      describe: 'Plan file: check its targets (every one, or those named by --target)',
    })
    .option('target', { type: 'string', array: true, describe: 'With --plan: a target name to check (repeatable)' })
    .option('reload-cmd', {
      type: 'string',
      describe:
        'Also check a reload: a shell command ({name} = the target) that makes the instance load a changed file with the same settings (e.g. rewrite it, then SIGHUP)',
    })
    .option('reload-timeout-s', { type: 'number', default: 30, describe: 'How long a reload may take to show' })
    .option('interval-ms', { type: 'number', default: 1000, describe: 'Time between the two reads of every endpoint' })
    .option('timeout-ms', { type: 'number', default: 3000, describe: 'Timeout of each request' })
    .option('evidence-dir', { type: 'string', describe: 'Also write contract_check_<ts>.json there' })
    .option('operator', { type: 'string', describe: 'Who runs the check (default $POOLGATE_OPERATOR)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
    .example('$0 contract check --url http://127.0.0.21:3000', 'one instance')
    .example('$0 contract check --plan evidence/run1/plan.json --json', 'every target of a plan')
    .example(
      `$0 contract check --url http://10.0.0.5:3000 --reload-cmd 'ssh app1 "echo >> /etc/app/pool.json && systemctl reload app"'`,
      'with a reload',
    ) as unknown as Argv<Args>;
}

/** Who to check, validated before anything is read (bad input: exit 2, nothing checked). */
function targetsOf(args: Args): ContractTarget[] {
  if (Boolean(args.url) === Boolean(args.plan)) throw new InputError('give either --url or --plan (with --target)');
  if (args.url) {
    if (args.target?.length) throw new InputError('--target names a target of --plan; with --url use --name');
    let name = args.name;
    try {
      name ??= new URL(args.url).host.replace(/[^A-Za-z0-9_.-]/g, '_');
    } catch {
      throw new InputError(`--url "${args.url}" is not a URL`);
    }
    const t = {
      name,
      url: args.url.replace(/\/+$/, ''),
      ...(args.tokenFile ? { token_file: args.tokenFile } : {}),
      ...(args.tokenEnv ? { token_env: args.tokenEnv } : {}),
    };
    return assertValid<Targets>('targets', { targets: [t] }, '--url/--name/--token-*').targets;
  }
  if (args.tokenFile || args.tokenEnv)
    throw new InputError('--token-file/--token-env go with --url; a plan names tokens per target');
  const targets = loadPlan(args.plan!).targets;
  if (!args.target?.length) return targets;
  const unknownNames = args.target.filter((n) => !targets.some((t) => t.name === n));
  if (unknownNames.length) throw new InputError(`--target ${unknownNames.join(', ')}: not a target of ${args.plan}`);
  return targets.filter((t) => args.target!.includes(t.name));
}

async function handler(args: Args): Promise<void> {
  const started = new Date();
  const targets = targetsOf(args);
  for (const [flag, v] of [
    ['--interval-ms', args.intervalMs],
    ['--timeout-ms', args.timeoutMs],
    ['--reload-timeout-s', args.reloadTimeoutS],
  ] as const)
    if (!(v > 0)) throw new InputError(`${flag} must be a positive number`);
  const evidence = args.evidenceDir ? new EvidenceDir(args.evidenceDir) : undefined;
  progress(`contract check: ${targets.length} target(s)…`);
  const checks = await checkTargets(targets, {
    intervalMs: args.intervalMs,
    timeoutMs: args.timeoutMs,
    reloadTimeoutS: args.reloadTimeoutS,
    ...(args.reloadCmd ? { reloadCmd: args.reloadCmd } : {}),
  });
  progressDone();
  const items = checks.flatMap((c) => c.items);
  const verdict = verdictOf(items);
  const exitCode = exitCodeOfVerdict(verdict);
  const result: ContractCheckResult = {
    command: 'contract check',
    run: {
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      operator: args.operator ?? process.env.POOLGATE_OPERATOR ?? 'unknown',
      poolgate_version: poolgateVersion,
    },
    verdict,
    message: checklistMessage(verdict, items),
    exit_code: exitCode,
    items,
    targets: checks.map((c) => ({
      name: c.name,
      url: c.url,
      reachable: c.reachable,
      failed: c.items.filter((i) => i.verdict === 'FAIL').length,
    })),
    reload_cmd: args.reloadCmd ?? null,
  };
  const file = evidence?.writeJson(evidenceFile('contract_check', started), 'contract-check-result', result);
  printResult({ json: args.json }, result, () => human(result, file));
  process.exitCode = exitCode;
}

/** One line per item that failed (or could not be measured), then the verdict. */
function human(r: ContractCheckResult, file: string | undefined): string {
  const lines = r.items
    .filter((i) => i.verdict === 'FAIL' || i.verdict === 'COULD_NOT_MEASURE')
    .map((i) => `${shownVerdict(i.verdict)} ${i.item}: ${i.detail ?? i.measured}`);
  const warned = r.items.filter((i) => i.verdict === 'WARN').map((i) => `WARN ${i.item}: ${i.detail ?? i.measured}`);
  const n = `${r.items.length} items on ${r.targets.length} target(s)`;
  const last =
    r.verdict === 'PASS'
      ? `PASS: the service conforms to the contract (${n})`
      : r.verdict === 'FAIL'
        ? `FAIL: ${r.items.filter((i) => i.verdict === 'FAIL').length} of ${n} do not conform — see docs/service-contract.md`
        : `${shownVerdict(r.verdict)}: could not reach ${r.targets
            .filter((t) => !t.reachable)
            .map((t) => t.name)
            .join(', ')} — not a pass`;
  return [...lines, ...warned, ...(file ? [`evidence: ${file}`] : []), last].join('\n');
}

const check: CommandModule<object, Args> = {
  command: 'check',
  describe:
    'Check running instances against the service contract (docs/service-contract.md); exit 1 names each failure',
  builder,
  handler,
};

export const contractCommand: CommandModule = {
  command: 'contract <command>',
  describe: 'Check a service against the contract poolgate needs (docs/service-contract.md)',
  builder: (y: Argv) => y.command(check).demandCommand(1),
  handler: () => undefined,
};
