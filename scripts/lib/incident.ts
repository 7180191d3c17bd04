import type { EvidenceDir } from './evidence';
import { listEvidenceFiles } from './evidence';
import { evidenceFile, newestValid, readEvidence } from './run-evidence';
import {
  describeNotification,
  failedGate,
  figureText,
  notifications,
  rollbackActions,
  timelineFrom,
  type TimelineEvent,
} from './incident-evidence';
import { rollbackMaxS, rollbackTiming, rollbackTimingText, type RollbackTiming } from './rollback-time';
import { addresseesOf, addresseesText } from './stakeholders';
import { severityAfterWatch, severityFor, type Severity } from './trigger';
import { notMeasured, shownVerdict } from './verdict';
import type { MonitorResult } from '../types/monitor-result';
import type { Plan } from '../types/plan';
import type { RollbackWatchResult } from '../types/rollback-watch-result';

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
  /** The rollback's time judged against its bound (null when the run was not rolled back). */
  timing?: RollbackTiming | null;
  /** The watch after the rollback (runbook rollback step 4), when it ran. */
  watch?: { file: string; value: RollbackWatchResult } | null;
}

export function incidentFacts(dir: string, rollbackMaxS = 600): IncidentFacts {
  const gate = failedGate(dir);
  const rollback = rollbackActions(dir);
  return {
    timeline: timelineFrom(dir),
    figures: gate ? gate.figures.map((f) => `${gate.gate}: ${figureText(f)}`) : [],
    gateMessage: gate?.message ?? null,
    actions: rollback.actions,
    outcome: rollback.outcome,
    notified: notifications(dir).map((n) => `${n.at} — ${describeNotification(n)}`),
    timing: rollbackTiming(dir, rollbackMaxS),
    watch: newestValid<RollbackWatchResult>(dir, 'rollback_watch'),
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
    ...(facts.timing ? [`**Rollback time**: ${rollbackTimingText(facts.timing)}`] : []),
    ...(facts.watch ? [`**After the rollback**: ${facts.watch.value.message}`] : []),
    `**Change**: ${change}`,
    `**Operator**: ${i.operator}`,
    '',
    '## Runbook response',
    '1. STOP — no further changes were made after the trigger.',
    `2. ASSESS — severity ${i.severity} (from trigger ${i.trigger}).`,
    `3. DECIDE — ${i.decision}.`,
    `4. EXECUTE — ${facts.actions.length || i.actions.length ? 'see actions taken below' : 'no action recorded yet'}.`,
    '5. DOCUMENT — this file and rollback_log.txt.',
    `6. NOTIFY — the stakeholders: ${addresseesText(addresseesOf('rollback', plan?.stakeholders))}; ${notified.length ? 'see notified below' : 'nobody recorded as notified yet (the runbook requires the Executive Operator and the Product Lead)'}.`,
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
    ...(facts.watch || facts.timing
      ? [
          '## Return to baseline (rollback step 4: "Monitor for 15 minutes - verify metrics return to baseline")',
          ...(facts.watch
            ? [
                `- ${facts.watch.value.message} (${facts.watch.file}; ${facts.watch.value.samples.judged} of ${facts.watch.value.samples.total} samples judged, after ${facts.watch.value.config.settle_s} s of ${facts.watch.value.config.duration_s} s; baseline ${facts.watch.value.baseline.file})`,
                ...facts.watch.value.checks.map((c) => `- ${shownVerdict(c.verdict)} ${c.label}: ${c.shown}`),
              ]
            : [`- ${notMeasured('no post-rollback watch in the evidence: the return to baseline was not judged')}`]),
          '',
        ]
      : []),
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
  const facts = incidentFacts(ev.dir, rollbackMaxS(plan));
  const watch = facts.watch?.value ?? null;
  const severity = severityAfterWatch(input.severity ?? severityFor(input.trigger), watch?.verdict ?? null);
  // The operator's (or the playbook's) words, then what the failed gate measured against what it allows — unless
  // the words already are the gate's own verdict line (a failed poolgate step's message carries its items; the
  // playbook may have cut it short, so its start is what is looked for) — then a fleet not back at its baseline.
  const said = facts.gateMessage !== null && input.reason.includes(facts.gateMessage.slice(0, 120));
  const figures = facts.figures.length && !said ? ` — ${facts.figures.join('; ')}` : '';
  const afterwards = watch?.verdict === 'FAIL' ? ` — after the rollback: ${watch.message}` : '';
  const reason = `${figures ? input.reason.trim() : input.reason}${figures}${afterwards}`;
  const files = listEvidenceFiles(ev.dir).filter((f) => !f.startsWith('incidents/'));
  const rel = evidenceFile('incident', input.now);
  const file = ev.writeText(rel, renderIncident({ ...input, reason, severity }, facts, plan, files));
  const rollbackLog = ev.appendLine(
    evidenceFile('rollback_log'),
    `${input.now.toISOString()} Rollback reason: ${reason.replace(/\s+/g, ' ')} (trigger: ${input.trigger}, severity: ${severity}, incident: ${rel})`,
  );
  return { file, rollbackLog, severity };
}
