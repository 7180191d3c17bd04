import type { EvidenceDir } from './evidence';
import { listEvidenceFiles } from './evidence';
import { evidenceFile, readEvidence } from './run-evidence';
import {
  describeNotification,
  failedGate,
  figureText,
  notifications,
  rollbackActions,
  timelineFrom,
  type TimelineEvent,
} from './incident-evidence';
import type { MonitorResult } from '../types/monitor-result';
import type { Plan } from '../types/plan';
import { severityFor, type Severity } from './trigger';

export { timelineFrom, type TimelineEvent };

export interface IncidentInput {
  reason: string;
  trigger: string;
  severity?: Severity;
  decision: string;
  actions: string[];
  notified: string[];
  operator: string;
  now: Date;
}

/**
 * What the latest monitor run in the folder ended on, so an Ansible rescue can omit --trigger: the trigger that
 * fired, or `monitor_could_not_measure` when monitoring itself failed. null when no monitor run ended either way.
 */
export function latestTrigger(dir: string): { name: string; message: string } | null {
  const m = readEvidence<MonitorResult>(dir, 'monitor');
  if (m.status !== 'used' || !m.value.stop) return null;
  return { name: m.value.stop.name, message: m.value.trigger?.message ?? m.value.message };
}

/** What the evidence adds to the operator's words: the failed gate's figures, the rollback's steps, who heard. */
export interface IncidentFacts {
  timeline: TimelineEvent[];
  figures: string[];
  /** The failed gate's own verdict line, null when no gate failed. */
  gateMessage: string | null;
  actions: TimelineEvent[];
  outcome: string | null;
  notified: string[];
}

export function incidentFacts(dir: string): IncidentFacts {
  const gate = failedGate(dir);
  const rollback = rollbackActions(dir);
  return {
    timeline: timelineFrom(dir),
    figures: gate ? gate.figures.map((f) => `${gate.gate}: ${figureText(f)}`) : [],
    gateMessage: gate?.message ?? null,
    actions: rollback.actions,
    outcome: rollback.outcome,
    notified: notifications(dir).map((n) => `${n.at} — ${describeNotification(n)}`),
  };
}

export function renderIncident(
  i: IncidentInput & { severity: Severity },
  facts: IncidentFacts,
  plan: Plan | null,
  files: string[],
): string {
  const change = plan
    ? `pool max ${plan.change.from.max} → ${plan.change.to.max}, min ${plan.change.from.min} → ${plan.change.to.min}`
    : 'pool change (no plan in the evidence folder)';
  const now = i.now.toISOString();
  const notified = [...i.notified, ...facts.notified];
  return [
    `# Pool scaling incident — ${now}`,
    '',
    `**Severity**: ${i.severity}`,
    `**Trigger**: ${i.trigger}`,
    `**Reason**: ${i.reason}`,
    ...(facts.figures.length ? ['**Failed gate figures**:', ...facts.figures.map((f) => `- ${f}`)] : []),
    `**Decision**: ${i.decision}`,
    `**Rollback outcome**: ${facts.outcome ?? 'no rollback recorded in events.jsonl'}`,
    `**Change**: ${change}`,
    `**Operator**: ${i.operator}`,
    '',
    '## Runbook response',
    '1. STOP — no further changes were made after the trigger.',
    `2. ASSESS — severity ${i.severity} (from trigger ${i.trigger}).`,
    `3. DECIDE — ${i.decision}.`,
    `4. EXECUTE — ${facts.actions.length || i.actions.length ? 'see actions taken below' : 'no action recorded yet'}.`,
    '5. DOCUMENT — this file and rollback_log.txt.',
    `6. NOTIFY — ${notified.length ? 'see notified below' : 'nobody recorded as notified yet; the runbook requires the Executive Operator and the Product Lead'}.`,
    '',
    '## Timeline (UTC, from events.jsonl, monitoring, alerts and notifications)',
    ...(facts.timeline.length
      ? facts.timeline.map((e) => `- ${e.at} — ${e.what}`)
      : ['- no evidence recorded before this incident']),
    `- ${now} — incident recorded (${i.severity}, ${i.trigger})`,
    '',
    '## Actions taken',
    ...facts.actions.map((a) => `- ${a.at} — ${a.what}`),
    ...i.actions.map((a) => `- ${now} — ${a}`),
    ...(facts.actions.length || i.actions.length ? [] : ['- none recorded']),
    ...(facts.outcome ? [`- Rollback outcome: ${facts.outcome}`] : []),
    '',
    '## Notified',
    ...(notified.length
      ? notified.map((n) => `- ${n}`)
      : ['- nobody recorded (runbook: Executive Operator, Product Lead)']),
    '',
    '## Evidence',
    ...files.map((f) => `- ${f}`),
    '',
  ].join('\n');
}

/**
 * Write `incidents/<ts>_pool_scaling_incident.md` and append `<ts> Rollback reason: …` to rollback_log.txt
 * (the runbook's step 5 of the rollback procedure). Returns both paths.
 */
export function writeIncident(
  ev: EvidenceDir,
  input: IncidentInput,
  plan: Plan | null,
): { file: string; rollbackLog: string; severity: Severity } {
  const severity = input.severity ?? severityFor(input.trigger);
  const facts = incidentFacts(ev.dir);
  // The operator's (or the playbook's) words, then what the failed gate measured against what it allows — unless
  // the words already are the gate's own verdict line (a failed poolgate step's message carries its items; the
  // playbook may have cut it short, so its start is what is looked for).
  const said = facts.gateMessage !== null && input.reason.includes(facts.gateMessage.slice(0, 120));
  const reason = facts.figures.length && !said ? `${input.reason.trim()} — ${facts.figures.join('; ')}` : input.reason;
  const files = listEvidenceFiles(ev.dir).filter((f) => !f.startsWith('incidents/'));
  const rel = evidenceFile('incident', input.now);
  const file = ev.writeText(rel, renderIncident({ ...input, reason, severity }, facts, plan, files));
  const rollbackLog = ev.appendLine(
    'rollback_log.txt',
    `${input.now.toISOString()} Rollback reason: ${reason.replace(/\s+/g, ' ')} (trigger: ${input.trigger}, severity: ${severity}, incident: ${rel})`,
  );
  return { file, rollbackLog, severity };
}
