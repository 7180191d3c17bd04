import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { requireRunFolder } from '../lib/run-evidence';
import { latestTrigger, writeIncident } from '../lib/incident';
import type { Severity } from '../lib/trigger';
import { loadPlan } from '../lib/plan';
import { printResult } from '../lib/output';
import { assertValid } from '../lib/schema';
import type { IncidentResult } from '../types/incident-result';
import type { Plan } from '../types/plan';

interface IncidentArgs {
  evidenceDir: string;
  reason?: string;
  trigger?: string;
  severity?: Severity;
  decision: string;
  action?: string[];
  notified?: string[];
  operator?: string;
  plan?: string;
  json: boolean;
}

export const incidentCommand: CommandModule<object, IncidentArgs> = {
  command: 'incident',
  describe:
    'Record an incident: incidents/<ts>_pool_scaling_incident.md and a "Rollback reason" line in rollback_log.txt',
  builder: (y: Argv) =>
    y
      .option('evidence-dir', { type: 'string', demandOption: true, describe: "The run's evidence folder" })
      .option('reason', { type: 'string', describe: "Why (default: the monitor trigger's message)" })
      .option('trigger', {
        type: 'string',
        describe:
          'What fired, e.g. p95_latency_sustained, verify_failed (default: how the latest monitor run ended, else "unspecified")',
      })
      .option('severity', {
        choices: ['P0', 'P1', 'P2'] as const,
        describe: 'Override the severity derived from the trigger',
      })
      .option('decision', { type: 'string', default: 'ROLLBACK', describe: 'The decision taken' })
      .option('action', { type: 'string', array: true, describe: 'An action taken (repeatable)' })
      .option('notified', { type: 'string', array: true, describe: 'Who was notified (repeatable)' })
      .option('operator', {
        type: 'string',
        describe: 'Who records it (default: plan operator, $POOLGATE_OPERATOR, OS user)',
      })
      .option('plan', { type: 'string', describe: 'Plan file (default: plan.json in the evidence folder)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the written paths as JSON' })
      .example(
        '$0 incident --evidence-dir evidence/run1',
        'After a monitor trigger: reason and trigger from monitor_*.json',
      )
      .example(
        '$0 incident --evidence-dir evidence/run1 --trigger verify_failed --reason "primary-2 reports max 50" --action "rolled back primary-2" --notified "on-call"',
        'From an Ansible rescue',
      ) as unknown as Argv<IncidentArgs>,
  handler: (args) => {
    const ev = new EvidenceDir(requireRunFolder(args.evidenceDir));
    const fired = latestTrigger(ev.dir);
    // an incident must be recorded even when nothing names its trigger: "unspecified" (P2) rather than a failed rescue
    const trigger = args.trigger ?? fired?.name ?? 'unspecified';
    const reason = args.reason ?? (fired && fired.name === trigger ? fired.message : undefined);
    if (!reason || reason.trim() === '')
      throw new InputError('--reason is required (no monitor trigger message to use)');
    const planFile =
      args.plan ?? (fs.existsSync(path.join(ev.dir, 'plan.json')) ? path.join(ev.dir, 'plan.json') : undefined);
    const plan: Plan | null = planFile ? loadPlan(planFile) : null;
    const operator =
      args.operator ?? plan?.operator ?? process.env.POOLGATE_OPERATOR ?? `${os.userInfo().username} (OS user)`;
    const r = writeIncident(
      ev,
      {
        reason,
        trigger,
        ...(args.severity ? { severity: args.severity } : {}),
        decision: args.decision,
        actions: args.action ?? [],
        notified: args.notified ?? [],
        operator,
        now: new Date(),
      },
      plan,
    );
    const out = assertValid<IncidentResult>(
      'incident-result',
      { incident_file: r.file, rollback_log: r.rollbackLog, severity: r.severity, trigger, reason },
      'incident output',
    );
    printResult(
      args,
      out,
      () => `${r.severity} incident recorded: ${r.file}\nrollback reason appended to ${r.rollbackLog}`,
    );
  },
};
