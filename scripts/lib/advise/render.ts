import { table } from '../output';
import type { Advice } from '../../types/advice';

const n = (v: number | null, digits = 1): string =>
  v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(digits);

/** Short aligned text for a person: the verdict, the table, the arithmetic, what to do. */
export function renderAdvice(a: Advice): string {
  const r = a.recommended;
  const lines: string[] = [];
  const ratio = a.planned && r.basis === 'measured' ? ` (${n(a.planned.ratio_to_recommended)}x)` : '';
  const planned = a.planned ? `; planned max ${a.planned.max}${ratio}` : '';
  lines.push(
    `advise: ${a.severity.toUpperCase()} — recommended pool max ${r.max}, min ${r.min} per instance (${r.basis})${planned}`,
  );
  lines.push('');
  lines.push(
    table([
      ['instance', 'status', 'lambda/s', 'W ms', 'busy avg', 'busy p95', 'peak active', 'wait p95 ms', 'max now'],
      ...a.instances.map((i) => [
        i.name,
        i.status,
        n(i.arrival_rate_per_s),
        n(i.mean_hold_ms, 2),
        n(i.busy_avg, 2),
        String(i.busy_p95),
        String(i.peak_active),
        n(i.acquire_wait_p95_ms),
        String(i.current_max),
      ]),
    ]),
  );
  const d = a.database;
  lines.push('');
  lines.push(
    table([
      ['database cores', d.cores === null ? 'unknown' : `${d.cores} (${d.cores_source})`],
      [
        'concurrency budget',
        d.concurrency_budget === null
          ? 'unknown'
          : `${d.concurrency_budget} (2 x ${d.cores} cores + ${n(d.spindles)} effective spindle${d.spindles === 1 ? '' : 's'})`,
      ],
      ['usable slots', d.usable_slots === null ? 'unknown' : `${d.usable_slots} (${d.slots_source})`],
      ['instances / serving', `${a.fleet.instances} / ${a.fleet.serving}`],
    ]),
  );
  lines.push('');
  lines.push('How:');
  for (const s of a.explanation) lines.push(`  - ${s}`);
  if (a.findings.length > 0) {
    lines.push('');
    lines.push('Findings:');
    for (const f of a.findings) lines.push(`  ${f.severity.toUpperCase().padEnd(8)} ${f.code}: ${f.message}`);
  }
  return lines.join('\n');
}
