import type { VerificationReport } from '../../types/report';
import { dbConnectionsLine } from './monitor-summary';
import { inMinutes, showCount, showMs, showPct } from './verification-report';
import { rollbackTimingText } from '../rollback-time';
import { notMeasured, shownVerdict } from '../verdict';

const NR = 'NOT RECORDED';

/** A section's heading says when it is not complete: " — COULD NOT MEASURE (what is missing)". */
function sectionNote(r: VerificationReport, id: VerificationReport['sections'][number]['id']): string {
  const s = r.sections.find((x) => x.id === id);
  return s && s.verdict !== 'PASS' ? ` — ${shownVerdict(s.verdict)} (${s.shown})` : '';
}
const box = (on: boolean): string => (on ? '[X]' : '[ ]');

function sustainedHeading(r: VerificationReport): string {
  const s = r.criteria.find((c) => c.id === 'sustained');
  const d = s?.value;
  if (typeof d !== 'number') return 'not monitored';
  return `${inMinutes(d)} sustained`;
}

/**
 * The runbook's "Post-change verification report" template, filled from the report (same headings, same lines,
 * same order). Every value is a measurement or an explicit COULD NOT MEASURE / NOT RECORDED with why: no template
 * placeholder survives. The success criteria list all eight runbook criteria (the template shows five) with
 * value and verdict; the decision box is SUCCESS only when all eight pass and every section is complete.
 */
export function renderReport(r: VerificationReport): string {
  const change =
    `Database pool max ${r.change.from_max ?? NR} → ${r.change.to_max ?? NR}` +
    (r.change.from_min !== null &&
    r.change.to_min !== null &&
    r.change.from_min !== undefined &&
    r.change.to_min !== undefined &&
    r.change.from_min !== r.change.to_min
      ? ` (min ${r.change.from_min} → ${r.change.to_min})`
      : '');
  const metrics = (m: VerificationReport['pre']): string[] => [
    `- Pool utilization: ${showPct(m.pool_utilization_pct)}`,
    `- Error rate: ${showPct(m.error_rate_pct)}`,
    `- p95 latency: ${showMs(m.p95_ms)}`,
    `- Active connections: ${showCount(m.active_connections)}`,
    `- Basis: ${m.basis}`,
  ];
  const lt = r.loadtest;
  const judged = [...r.criteria, ...r.sections];
  const incomplete = judged.filter((c) => c.verdict === 'COULD_NOT_MEASURE').map((c) => `${c.label} (${c.shown})`);
  const failed = judged.filter((c) => c.verdict === 'FAIL').map((c) => `${c.label} (${c.shown})`);
  const lines = [
    '# Database Pool Scaling Verification Report',
    '',
    `**Implementation Date**: ${r.implementation_date ?? `${NR} (no verify or monitor evidence)`}`,
    `**Operator**: ${r.operator}`,
    `**Change**: ${change}`,
    '',
    `## Pre-Change Metrics${sectionNote(r, 'pre')}`,
    ...metrics(r.pre),
    '',
    `## Post-Change Metrics (${sustainedHeading(r)})${sectionNote(r, 'post')}`,
    ...metrics(r.post),
    '',
    `## Synthetic Load Test Results${sectionNote(r, 'loadtest')}`,
    `- Requests: ${showCount(lt.requests)}`,
    `- p50 latency: ${showMs(lt.p50_ms)}`,
    `- p95 latency: ${showMs(lt.p95_ms)}`,
    `- p99 latency: ${showMs(lt.p99_ms)}`,
    `- Error rate: ${showPct(lt.error_rate_pct)}`,
    `- Load level: ${lt.load_level}`,
    `- Analysis verdict: ${lt.verdict ? shownVerdict(lt.verdict) : notMeasured('no analysis evidence')}`,
    '',
    '## Success Criteria',
    ...r.criteria.map(
      (c) =>
        `- ${box(c.verdict === 'PASS')} ${c.label} — ${c.shown} — **${shownVerdict(c.verdict)}** (source: ${c.source})`,
    ),
    '',
    '## Report Completeness',
    ...r.sections.map((s) => `- ${box(s.verdict === 'PASS')} ${s.label} — ${s.shown} — **${shownVerdict(s.verdict)}**`),
    '',
    '## Warnings (alert levels: they never decide)',
    `- Active DB connections (runbook: 20-60 under normal load) — ${r.db_connections ? dbConnectionsLine(r.db_connections) : notMeasured('no monitor result')} (source: monitor)`,
    '',
    ...(r.rollback
      ? [
          '## Rollback',
          `- Reason: ${r.rollback.reason}`,
          `- Outcome: ${r.rollback.outcome === 'VERIFIED' ? 'VERIFIED: every host read back at the old values' : (r.rollback.outcome ?? 'IN PROGRESS: the rollback has not ended')}`,
          `- Rollback time: ${rollbackTimingText(r.rollback.timing)}`,
          `- Return to baseline (runbook: "Monitor for 15 minutes - verify metrics return to baseline"): ${
            r.rollback.watch
              ? `${r.rollback.watch.message} (${r.rollback.watch.file})`
              : `${notMeasured('no post-rollback watch in the evidence')}`
          }`,
          ...(r.rollback.watch?.checks ?? []).map((c) => `  - ${shownVerdict(c.verdict)} ${c.label}: ${c.shown}`),
          '',
        ]
      : []),
    '## Decision',
    `- ${box(r.decision === 'SUCCESS')} SUCCESS - Proceed to Phase 2`,
    `- ${box(r.decision !== 'SUCCESS')} ROLLBACK - Investigate and retry`,
    '',
    r.decision === 'SUCCESS'
      ? '**Decision**: SUCCESS — every section measured and all eight success criteria met.'
      : r.rollback
        ? `**Decision**: ROLLBACK — the change was rolled back: ${r.rollback.reason}`
        : r.decision === 'ROLLBACK'
          ? `**Decision**: ROLLBACK — failed: ${failed.join('; ')}.`
          : `**Decision**: INCOMPLETE (treated as ROLLBACK: not proven is not passed) — ${shownVerdict('COULD_NOT_MEASURE')}: ${incomplete.join('; ')}.`,
    '',
    '## Evidence',
    ...r.inputs.map(
      (i) =>
        `- ${i.kind}: ${i.file ?? 'none'} — ${i.status}${i.sha256 ? ` (sha256 ${i.sha256.slice(0, 16)}…)` : ''}${i.detail ? ` — ${i.detail}` : ''}`,
    ),
    '',
    `**Signature**: ${r.operator}`,
    `**Timestamp**: ${r.generated_at}`,
    '',
  ];
  return lines.join('\n');
}
