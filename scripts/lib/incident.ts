import fs from 'node:fs';
import path from 'node:path';
import type { EvidenceDir } from './evidence';
import { fileTimestamp, listEvidenceFiles } from './evidence';
import { isValid } from './schema';
import type { MonitorResult } from '../types/monitor-result';
import type { Plan } from '../types/plan';

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
]);

/**
 * Severity from the trigger (runbook "Incident response": ASSESS P0/P1/P2): a declared P0 incident is P0; a
 * rollback trigger with customer impact (errors, latency, thrashing, DB CPU) or a failed post-change gate is P1;
 * anything else — a monitoring outage, a could-not-measure, a gate that stopped the change before it started —
 * is P2.
 */
export function severityFor(trigger: string): Severity {
  if (trigger === 'p0_incident') return 'P0';
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

export interface TimelineEvent {
  at: string;
  what: string;
}

/**
 * The timeline from what the evidence folder holds: each evidence file (when it was written), the critical
 * alerts, the monitor's trigger and the rollback log. Sorted by time; the newest 60 events kept.
 */
export function timelineFrom(dir: string): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const f of listEvidenceFiles(dir)) {
    if (f.startsWith('incidents/')) continue;
    events.push({ at: fs.statSync(path.join(dir, f)).mtime.toISOString(), what: `evidence written: ${f}` });
    if (/^monitor_\d{8}T\d{6}Z\.json$/.test(f)) {
      try {
        const m: unknown = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        if (isValid<MonitorResult>('monitor-result', m)) {
          events.push({ at: m.started_at, what: `monitoring started (${m.config.duration_s}s, every ${m.config.interval_s}s)` });
          events.push({ at: m.ended_at, what: `monitoring ended: ${m.verdict}${m.message ? ` — ${m.message}` : ''}` });
        }
      } catch {
        // an unreadable result is still listed above as a file; its content is not in the timeline
      }
    }
  }
  const read = (f: string): string[] => {
    try {
      return fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  for (const line of read('alerts.log')) {
    const m = /^(\S+) CRITICAL\s+(.*)$/.exec(line);
    if (m) events.push({ at: m[1]!, what: `CRITICAL alert: ${m[2]}` });
  }
  for (const line of read('rollback_log.txt')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (m && !Number.isNaN(Date.parse(m[1]!))) events.push({ at: m[1]!, what: m[2]! });
  }
  return events.sort((a, b) => a.at.localeCompare(b.at)).slice(-60);
}

/**
 * What the latest monitor run in the folder ended on, so an Ansible rescue can omit --trigger: the trigger that
 * fired, or `monitor_could_not_measure` when monitoring itself failed. null when no monitor run ended either way.
 */
export function latestTrigger(dir: string): { name: string; message: string } | null {
  const files = listEvidenceFiles(dir).filter((f) => /^monitor_\d{8}T\d{6}Z\.json$/.test(f)).sort().reverse();
  for (const f of files) {
    try {
      const m: unknown = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (!isValid<MonitorResult>('monitor-result', m)) continue;
      if (m.trigger) return { name: m.trigger.name, message: m.trigger.message };
      if (m.verdict === 'could_not_measure') return { name: 'monitor_could_not_measure', message: m.message ?? 'monitoring could not measure' };
      return null;
    } catch {
      // not readable: look at an older one
    }
  }
  return null;
}

export function renderIncident(i: IncidentInput & { severity: Severity }, timeline: TimelineEvent[], plan: Plan | null, files: string[]): string {
  const change = plan ? `pool max ${plan.change.from.max} → ${plan.change.to.max}, min ${plan.change.from.min} → ${plan.change.to.min}` : 'pool change (no plan in the evidence folder)';
  return [
    `# Pool scaling incident — ${i.now.toISOString()}`,
    '',
    `**Severity**: ${i.severity}`,
    `**Trigger**: ${i.trigger}`,
    `**Reason**: ${i.reason}`,
    `**Decision**: ${i.decision}`,
    `**Change**: ${change}`,
    `**Operator**: ${i.operator}`,
    '',
    '## Runbook response',
    '1. STOP — no further changes were made after the trigger.',
    `2. ASSESS — severity ${i.severity} (from trigger ${i.trigger}).`,
    `3. DECIDE — ${i.decision}.`,
    `4. EXECUTE — ${i.actions.length ? 'see actions taken below' : 'no action recorded yet'}.`,
    '5. DOCUMENT — this file and rollback_log.txt.',
    `6. NOTIFY — ${i.notified.length ? i.notified.join(', ') : 'nobody recorded as notified yet; the runbook requires the Executive Operator and the Product Lead'}.`,
    '',
    '## Timeline (UTC, from the evidence)',
    ...(timeline.length ? timeline.map((e) => `- ${e.at} — ${e.what}`) : ['- no evidence recorded before this incident']),
    `- ${i.now.toISOString()} — incident recorded (${i.severity}, ${i.trigger})`,
    '',
    '## Actions taken',
    ...(i.actions.length ? i.actions.map((a) => `- ${a}`) : ['- none recorded']),
    '',
    '## Notified',
    ...(i.notified.length ? i.notified.map((n) => `- ${n}`) : ['- nobody recorded (runbook: Executive Operator, Product Lead)']),
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
export function writeIncident(ev: EvidenceDir, input: IncidentInput, plan: Plan | null): { file: string; rollbackLog: string; severity: Severity } {
  const severity = input.severity ?? severityFor(input.trigger);
  const timeline = timelineFrom(ev.dir);
  const files = listEvidenceFiles(ev.dir).filter((f) => !f.startsWith('incidents/'));
  const rel = `incidents/${fileTimestamp(input.now)}_pool_scaling_incident.md`;
  const file = ev.writeText(rel, renderIncident({ ...input, severity }, timeline, plan, files));
  const rollbackLog = ev.appendLine(
    'rollback_log.txt',
    `${input.now.toISOString()} Rollback reason: ${input.reason.replace(/\s+/g, ' ')} (trigger: ${input.trigger}, severity: ${severity}, incident: ${rel})`,
  );
  return { file, rollbackLog, severity };
}
