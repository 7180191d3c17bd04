import { dbConnectionsLine } from '../judge/monitor-summary';
import { rollbackTimingText } from '../rollback-time';
import type { RollbackTiming, VerificationReport } from '../../types/report';
import type { Moment } from './moments';
import type { Phase } from './phases';
import type { ChartDef } from './series';
import { headlineOf, shownVerdict, type RollbackOutcome, type Verdict } from '../verdict';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A chart already rendered to SVG, with what it was meant to show (the browser test checks each series drew). */
export interface RenderedChart {
  def: ChartDef;
  svg: string;
}

export interface MomentPanel {
  moment: Moment;
  charts: RenderedChart[];
}

export interface PageInput {
  runId: string;
  generatedAt: Date;
  report: VerificationReport | null;
  reportFile: string | null;
  rollback: {
    reason: string;
    /** null: the rollback has not ended. */
    outcome: RollbackOutcome | null;
    incidents: string[];
    timing: RollbackTiming | null;
    watch: { file: string; verdict: Verdict; message: string } | null;
  } | null;
  phases: Phase[];
  timelineSvg: string | null;
  charts: RenderedChart[];
  moments: MomentPanel[];
  monitorNote: string | null;
  problems: string[];
}

type Tone = 'pass' | 'fail' | 'warn';

/** The headline: a rollback beats any verdict (the change is no longer in force), then the report's decision. */
export function headline(input: Pick<PageInput, 'report' | 'rollback'>): { text: string; tone: Tone; detail: string } {
  if (input.rollback) {
    return {
      text: headlineOf('rollback', 'ROLLBACK', input.rollback.outcome),
      tone: 'fail',
      detail: `The change was rolled back: ${input.rollback.reason}`,
    };
  }
  if (!input.report)
    return {
      text: 'NO VERDICT',
      tone: 'warn',
      detail: 'report.json is missing: run `poolgate report --evidence-dir <dir>` for the eight criteria.',
    };
  const d = input.report.decision;
  const detail =
    d === 'SUCCESS'
      ? 'All eight success criteria passed.'
      : d === 'ROLLBACK'
        ? 'At least one success criterion failed: the runbook says roll back.'
        : 'No criterion failed, but at least one could not be measured: not proven is not passed.';
  return { text: d, tone: d === 'SUCCESS' ? 'pass' : d === 'ROLLBACK' ? 'fail' : 'warn', detail };
}

const verdictTone = (v: Verdict): Tone => (v === 'PASS' ? 'pass' : v === 'FAIL' ? 'fail' : 'warn');

function criteriaTable(report: VerificationReport): string {
  const rows = report.criteria
    .map(
      (c, i) =>
        `<tr data-criterion="${escapeHtml(c.id)}"><td>${i + 1}</td><td>${escapeHtml(c.label)}</td><td>${escapeHtml(c.shown)}</td>` +
        `<td>${escapeHtml(c.threshold)}</td><td class="verdict ${verdictTone(c.verdict)}">${escapeHtml(shownVerdict(c.verdict))}</td>` +
        `<td class="source">${escapeHtml(c.source)}</td></tr>`,
    )
    .join('\n');
  return `<table class="criteria"><thead><tr><th>#</th><th>Success criterion</th><th>Value</th><th>Threshold</th><th>Verdict</th><th>Source</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
}

function chartFigure(c: RenderedChart, compact: boolean): string {
  const drawn = new Set(c.def.rows.map((r) => r.series));
  const missing = c.def.series.filter((s) => !drawn.has(s));
  const notes = [
    ...(c.def.note && !compact ? [c.def.note] : []),
    ...(missing.length ? [`No data for: ${missing.join(', ')}.`] : []),
  ];
  return (
    `<figure class="chart${compact ? ' compact' : ''}" data-chart="${c.def.id}" data-series="${escapeHtml(JSON.stringify([...drawn]))}">` +
    `${c.svg}${notes.length ? `<figcaption>${escapeHtml(notes.join(' '))}</figcaption>` : ''}</figure>`
  );
}

function momentSection(p: MomentPanel): string {
  const m = p.moment;
  const title = `${escapeHtml(m.runbook)} (runbook) = ${Math.round(m.fraction * 100)} % of the monitoring: ${m.elapsed_s} s in, ${new Date(m.at).toISOString()}`;
  if (!m.reached)
    return `<section class="moment" data-moment="${m.fraction}"><h3>${title}</h3><p class="warn">Not reached: the monitoring stopped before this moment.</p></section>`;
  return `<section class="moment" data-moment="${m.fraction}"><h3>${title}</h3><div class="grid">${p.charts.map((c) => chartFigure(c, true)).join('')}</div></section>`;
}

const CSS = `
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#212121;max-width:1500px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}.meta{color:#555;font-size:13px}
.banner{padding:14px 18px;border-radius:6px;margin:16px 0;font-size:15px}
.banner strong{font-size:26px;display:block;letter-spacing:.5px}
.banner.pass{background:#e8f5e9;border:2px solid #2e7d32}.banner.fail{background:#ffebee;border:2px solid #c62828}
.banner.warn{background:#fff8e1;border:2px solid #ef8f00}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.verdict{font-weight:bold}.pass{color:#2e7d32}.fail{color:#c62828}.warn{color:#b26a00}
td.source{color:#666;font-size:12px}figure{margin:10px 0}figcaption{font-size:12px;color:#666}
.grid{display:flex;flex-wrap:wrap;gap:8px}.chart.compact{margin:0}.problems li{color:#b26a00}
code{background:#f5f5f5;padding:0 3px}
svg{max-width:100%;height:auto}table{max-width:100%}th,td,code{overflow-wrap:anywhere}`;

/** The whole self-contained page: inline CSS and inline SVG, no script, nothing fetched (the CSP says so). */
export function renderPage(input: PageInput): string {
  const h = headline(input);
  const r = input.report;
  const change = r
    ? `pool max ${r.change.from_max ?? '?'} → ${r.change.to_max ?? '?'}, min ${r.change.from_min ?? '?'} → ${r.change.to_min ?? '?'}`
    : '';
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>Pool scaling verification — ${escapeHtml(input.runId)}</title><style>${CSS}</style></head><body>`,
    `<h1>Database pool scaling verification</h1>`,
    `<div class="meta">run <code>${escapeHtml(input.runId)}</code>${change ? ` · ${escapeHtml(change)}` : ''}${r ? ` · operator ${escapeHtml(r.operator)}` : ''} · HTML generated ${input.generatedAt.toISOString()}</div>`,
    `<div class="banner ${h.tone}" id="verdict" data-verdict="${escapeHtml(h.text)}"><strong>${escapeHtml(h.text)}</strong>${escapeHtml(h.detail)}` +
      `${r && input.rollback ? ` (verification report: ${escapeHtml(r.decision)})` : ''}</div>`,
  ];
  if (input.rollback) {
    parts.push(
      `<p>Rollback ${escapeHtml(input.rollback.outcome ?? 'not ended')}.` +
        (input.rollback.incidents.length
          ? ` Incident record: ${input.rollback.incidents.map((f) => `<code>incidents/${escapeHtml(f)}</code>`).join(', ')}.`
          : '') +
        ' See <code>rollback_log.txt</code>.</p>',
    );
    const timing = input.rollback.timing;
    if (timing)
      parts.push(
        `<p data-rollback-time="${escapeHtml(timing.verdict)}">Rollback time: <span class="${verdictTone(timing.verdict)}">${escapeHtml(rollbackTimingText(timing))}</span></p>`,
      );
    const watch = input.rollback.watch;
    parts.push(
      watch
        ? `<p data-rollback-watch="${escapeHtml(watch.verdict)}">After the rollback (runbook: monitor 15 minutes, metrics back to baseline): ` +
            `<span class="${verdictTone(watch.verdict)}">${escapeHtml(watch.message)}</span> (<code>${escapeHtml(watch.file)}</code>)</p>`
        : '<p data-rollback-watch="none" class="warn">No post-rollback watch in the evidence: the return to baseline was not judged.</p>',
    );
  }
  parts.push('<h2>The eight success criteria</h2>');
  parts.push(
    r ? criteriaTable(r) : '<p class="warn">No report.json in the evidence folder: the criteria were not judged.</p>',
  );
  if (r?.db_connections) {
    const d = r.db_connections;
    parts.push(
      `<p data-warning="db_connections">Warning level (never decides): active DB connections (runbook: 20-60 under normal load) — ` +
        `<span class="${d.verdict === 'PASS' ? 'pass' : 'warn'}">${escapeHtml(dbConnectionsLine(d))}</span></p>`,
    );
  }
  if (r)
    parts.push(
      `<p class="meta">Markdown report: <code>${escapeHtml(r.markdown_file)}</code>, judged ${escapeHtml(r.generated_at)}.</p>`,
    );

  parts.push('<h2>The whole run</h2>');
  parts.push(
    input.timelineSvg
      ? `<figure class="timeline" data-chart="phases">${input.timelineSvg}</figure>`
      : '<p class="warn">No phase could be dated from the evidence.</p>',
  );
  parts.push(
    '<p class="meta">Shaded bands in each chart are the phases above; dashed lines are thresholds (green success criterion, orange warning, red critical alert, purple rollback trigger, grey expected range).</p>',
  );
  parts.push(input.charts.map((c) => chartFigure(c, false)).join('\n'));

  parts.push('<h2>Dashboard snapshots (runbook: 15, 30 and 60 minutes)</h2>');
  if (input.monitorNote) parts.push(`<p class="meta">${escapeHtml(input.monitorNote)}</p>`);
  parts.push(input.moments.map(momentSection).join('\n'));

  if (r || input.problems.length) parts.push('<h2>Evidence behind this page</h2>');
  if (r) {
    parts.push(
      `<table class="inputs"><thead><tr><th>Kind</th><th>File</th><th>Status</th><th>sha256</th></tr></thead><tbody>${r.inputs
        .map(
          (i) =>
            `<tr><td>${escapeHtml(i.kind)}</td><td>${escapeHtml(i.file ?? '—')}</td><td>${escapeHtml(i.status)}${i.detail ? `: ${escapeHtml(i.detail)}` : ''}</td><td><code>${escapeHtml((i.sha256 ?? '').slice(0, 16))}</code></td></tr>`,
        )
        .join('')}</tbody></table>`,
    );
  }
  if (input.problems.length)
    parts.push(`<ul class="problems">${input.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`);
  parts.push('</body></html>\n');
  return parts.join('\n');
}
