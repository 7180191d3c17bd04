import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { fileTimestamp } from '../lib/run-evidence/files';
import { printResult } from '../lib/output';
import { defaultEvidenceRoot, packageRoot } from '../lib/paths';
import { loadPlan } from '../lib/plan';
import { runRamp, SUMMARY_FILE, type PassRun } from '../lib/ramp-run';

interface RampArgs {
  inventory: string;
  playbook: string;
  rampId?: string;
  evidenceRoot: string;
  extraVars?: string[];
  passVars?: string[];
  passTimeoutS: number;
  json: boolean;
}

/** ansible-playbook, its output shown as it comes (stderr under --json) and kept for the summary; bounded in time. */
function ansible(args: string[], timeoutS: number, show: NodeJS.WritableStream): Promise<PassRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('ansible-playbook', args, {
      cwd: packageRoot,
      env: process.env,
      timeout: timeoutS * 1000,
      killSignal: 'SIGTERM',
    });
    let output = '';
    const keep = (d: Buffer): void => {
      output += d.toString();
      show.write(d);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // Stopping the driver stops the pass it runs (an orphaned playbook would go on changing hosts unwatched).
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.removeListener('SIGINT', forward);
      process.removeListener('SIGTERM', forward);
      resolve({
        code: code ?? -1,
        output: signal ? `${output}\npoolgate ramp: the playbook was stopped by ${signal}\n` : output,
      });
    });
  });
}

/** `k=<json>` or `k=@file`: extra vars for pass k only. */
function parsePassVars(items: string[], passes: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const item of items) {
    const m = /^(\d+)=(.+)$/s.exec(item);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > passes)
      throw new InputError(`--pass-vars ${item}: expected <pass 1..${passes}>=<JSON or @file>`);
    out.set(Number(m[1]), m[2]!);
  }
  return out;
}

export const rampCommand: CommandModule<object, RampArgs> = {
  command: 'ramp',
  describe:
    'Make a ramped pool change (pool_scaling_steps, e.g. max 50 → 100 → 200): one full pool-scaling.yml run per pass; a failed pass rolls back to the last good step and ends the ramp',
  builder: (y: Argv) =>
    y
      .option('inventory', {
        alias: 'i',
        type: 'string',
        default: 'inventory/lab',
        describe: 'Ansible inventory (its group_vars declare pool_scaling_from/to/steps)',
      })
      .option('playbook', {
        type: 'string',
        default: 'playbooks/pool-scaling.yml',
        describe: 'The rollout playbook each pass runs',
      })
      .option('ramp-id', {
        type: 'string',
        describe: 'Id of the ramp (default: <UTC timestamp>-ramp); pass k runs as <ramp-id>-pass<k>',
      })
      .option('evidence-root', {
        type: 'string',
        default: defaultEvidenceRoot(),
        defaultDescription: '$POOLGATE_EVIDENCE_ROOT, else evidence/ in the checkout',
        describe: 'Where the runs write their folders; ramp_summary.json goes to <root>/<ramp-id>/',
      })
      .option('extra-vars', {
        alias: 'e',
        type: 'string',
        array: true,
        describe: 'Extra vars for every pass, as ansible-playbook -e takes them (repeatable)',
      })
      .option('pass-vars', {
        type: 'string',
        array: true,
        describe: 'Extra vars for one pass only: <k>=<JSON or @file> (repeatable)',
      })
      .option('pass-timeout-s', { type: 'number', default: 14_400, describe: 'Stop a pass that runs longer than this' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print ramp_summary.json on stdout (ansible output goes to stderr)',
      })
      .example(
        '$0 ramp -i inventory/production',
        'Ramp through group_vars pool_scaling_steps, e.g. [100]: passes 50→100, 100→200',
      )
      .example(
        '$0 ramp -i inventory/lab --pass-vars \'2={"pool_scaling_monitor": {...}}\'',
        'Monitor the last pass differently',
      ) as unknown as Argv<RampArgs>,
  handler: async (args) => {
    const rampId = args.rampId ?? `${fileTimestamp()}-ramp`;
    const out = new EvidenceDir(path.join(args.evidenceRoot, rampId));
    const show = args.json ? process.stderr : process.stdout;
    const extras = (args.extraVars ?? []).flatMap((e) => ['-e', e]);
    // The change as the inventory declares it, rendered by Ansible itself (templated vars resolved) and checked.
    const planFile = out.resolve('ramp_plan.json');
    const rendered = await ansible(
      ['-i', args.inventory, 'playbooks/render-plan.yml', ...extras, '-e', JSON.stringify({ plan_out: planFile })],
      300,
      show,
    );
    if (rendered.code !== 0 || !fs.existsSync(planFile))
      throw new InputError(
        `the inventory ${args.inventory} does not render a valid plan (render-plan.yml exit ${rendered.code}); nothing was changed`,
      );
    const change = loadPlan(planFile).change;
    const passVars = parsePassVars(args.passVars ?? [], (change.steps ?? []).length + 1);
    const summary = await runRamp({
      rampId,
      inventory: args.inventory,
      change,
      evidenceRoot: args.evidenceRoot,
      out,
      runPass: (p, _runId, rampVars) => {
        const only = passVars.get(p.pass);
        show.write(
          `\n=== poolgate ramp ${rampId}: pass ${p.pass}/${p.of}, max ${p.from.max} → ${p.to.max} (min ${p.from.min} → ${p.to.min}) ===\n`,
        );
        return ansible(
          [
            '-i',
            args.inventory,
            args.playbook,
            ...extras,
            ...(only ? ['-e', only] : []),
            '-e',
            JSON.stringify(rampVars),
          ],
          args.passTimeoutS,
          show,
        );
      },
    });
    printResult(args, summary, () =>
      [
        '',
        ...summary.passes.map(
          (p) =>
            `pass ${p.pass}/${p.of}  max ${p.from.max} → ${p.to.max}  ${p.outcome.padEnd(21)} ${p.evidence_dir ?? ''}`,
        ),
        `${summary.verdict ?? 'RUNNING'}: ${summary.message}`,
        `summary: ${out.resolve(SUMMARY_FILE)}`,
      ].join('\n'),
    );
    if (summary.verdict !== 'PASS') process.exitCode = ExitCode.gateFailed;
  },
};
