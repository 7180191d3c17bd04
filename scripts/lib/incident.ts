import fs from 'node:fs';
import path from 'node:path';
import type { EvidenceDir } from './evidence';
import { fileTimestamp, listEvidenceFiles } from './evidence';
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
import { newestWatch } from './rollback-watch-file';
import { isValid } from './schema';
import { addresseesOf, addresseesText } from './stakeholders';
import type { MonitorResult } from '../types/monitor-result';
import type { Plan } from '../types/plan';
import type { RollbackWatchResult } from '../types/rollback-watch-result';

export type Severity = 'P0' | 'P1' | 'P2';

/** Triggers that hurt customers while they fire: rolled back at once, P1 (P0 only when a P0 was declared). */
const CUSTOMER_IMPACT = new Set([
  'error_rate_sustained',
  'p95_latency_sustained',
  'connection_thrashing',
  'db_connection_thrashing',
  'db_cpu_sustained',
  'verify_failed',
  'loadtest_failed',
  'health_check_failed',
]);

export { timelineFrom, type TimelineEvent };

/**
 * Severity from the trigger (runbook "Incident response": ASSESS P0/P1/P2): a declared P0 incident is P0; a
 * rollback that did not complete is P0 too (the fleet runs a config nobody verified); a rollback trigger with
 * customer impact (errors, latency, thrashing, DB CPU), a failed post-change gate or an instance that fails its
 * health check after its change is P1;
 * anything else — a monitoring outage, a could-not-measure, a gate that stopped the change before it started —
 * is P2.
 */
export function severityFor(trigger: string): Severity {
  if (trigger === 'p0_incident' || trigger === 'rollback_incomplete') return 'P0';
  return CUSTOMER_IMPACT.has(trigger) ? 'P1' : 'P2';
}

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
  const files = listEvidenceFiles(dir)
    .filter((f) => /^monitor_\d{8}T\d{6}Z\.json$/.test(f))
    .sort()
    .reverse();
  for (const f of files) {
    try {
      const m: unknown = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (!isValid<MonitorResult>('monitor-result', m)) continue;
      if (m.trigger) return { name: m.trigger.name, message: m.trigger.message };
      if (m.verdict === 'could_not_measure')
        return { name: 'monitor_could_not_measure', message: m.message ?? 'monitoring could not measure' };
      return null;
    } catch {
      // not readable: look at an older one
    }
  }
  return null;
}

/** What the evidence adds to the operator's words: the failed gate's figures, the rollback's steps, who heard. */
export interface IncidentFacts {
  timeline: TimelineEvent[];
  figures: string[];
  actions: TimelineEvent[];
  outcome: string | null;
  notified: string[];
  /** The rollback's time judged against its bound (null when the run was not rolled back). */
  timing?: RollbackTiming | null;
  /** The watch after the rollback (runbook rollback step 4), when it ran. */
  watch?: { file: string; result: RollbackWatchResult } | null;
}

export function incidentFacts(dir: string, rollbackMaxS = 600): IncidentFacts {
  const gate = failedGate(dir);
  const rollback = rollbackActions(dir);
  return {
    timeline: timelineFrom(dir),
    figures: gate ? gate.figures.map((f) => `${gate.gate}: ${figureText(f)}`) : [],
    actions: rollback.actions,
    outcome: rollback.outcome,
    notified: notifications(dir).map((n) => `${n.at} — ${describeNotification(n)}`),
    timing: rollbackTiming(dir, rollbackMaxS),
    watch: newestWatch(dir),
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
    ...(facts.watch ? [`**After the rollback**: ${facts.watch.result.message}`] : []),
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
                `- ${facts.watch.result.message} (${facts.watch.file}; ${facts.watch.result.samples.judged} of ${facts.watch.result.samples.total} samples judged, after ${facts.watch.result.config.settle_s} s of ${facts.watch.result.config.duration_s} s; baseline ${facts.watch.result.baseline.file})`,
                ...facts.watch.result.checks.map((c) => `- ${c.verdict} ${c.label}: ${c.shown}`),
              ]
            : ['- NOT WATCHED: no post-rollback watch in the evidence (the return to baseline was not judged)']),
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
  // A fleet that did not return to baseline after its rollback still hurts: at least P1 (runbook: ASSESS).
  const assessed = input.severity ?? severityFor(input.trigger);
  const severity = facts.watch?.result.verdict === 'not_returned' && assessed === 'P2' ? 'P1' : assessed;
  // The operator's (or the playbook's) words, then what the failed gate measured against what it allows.
  const afterwards =
    facts.watch?.result.verdict === 'not_returned' ? ` — after the rollback: ${facts.watch.result.message}` : '';
  const reason = `${facts.figures.length ? `${input.reason.trim()} — ${facts.figures.join('; ')}` : input.reason}${afterwards}`;
  const files = listEvidenceFiles(ev.dir).filter((f) => !f.startsWith('incidents/'));
  const rel = `incidents/${fileTimestamp(input.now)}_pool_scaling_incident.md`;
  const file = ev.writeText(rel, renderIncident({ ...input, reason, severity }, facts, plan, files));
  const rollbackLog = ev.appendLine(
    'rollback_log.txt',
    `${input.now.toISOString()} Rollback reason: ${reason.replace(/\s+/g, ' ')} (trigger: ${input.trigger}, severity: ${severity}, incident: ${rel})`,
  );
  return { file, rollbackLog, severity };
}
