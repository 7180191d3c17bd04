import { EvidenceDir } from '../evidence';
import { evidenceFile, EVIDENCE, newestValid } from '../run-evidence';
import { loadPlan } from '../plan';
import { rollbackMaxS, rollbackTiming } from '../rollback-time';
import { metricSpec, timelineSpec, type TimeDomain } from './chart-spec';
import { snapshotMoments } from './moments';
import { renderPage, type MomentPanel, type RenderedChart } from './page';
import { derivePhases, rollbackOutcome, rollbackReason, type Phase } from './phases';
import { renderSvg } from './render-svg';
import { readRunEvidence, type RunEvidence } from './run-evidence';
import { buildCharts, cutChart, type ChartDef } from './series';
import type { RollbackWatchResult } from '../../types/rollback-watch-result';

const MAIN = { width: 1100, height: 200 };
const SMALL = { width: 200, height: 110 };

/** The time axis shared by every chart: every phase and every point, with a little air at both ends. */
export function runDomain(phases: Phase[], charts: ChartDef[]): TimeDomain | null {
  const times = [...phases.flatMap((p) => [p.start, p.end]), ...charts.flatMap((c) => c.rows.map((r) => r.t))];
  if (!times.length) return null;
  const start = Math.min(...times);
  const end = Math.max(...times);
  const pad = Math.max(1000, (end - start) * 0.01);
  return { start: start - pad, end: end + pad };
}

/** The HTML file's name: beside the Markdown report when there is one (same timestamp), else stamped now. */
export function htmlFileName(ev: RunEvidence, now: Date): string {
  const md = ev.report?.markdown_file;
  if (md && EVIDENCE.report_markdown.pattern.test(md)) return md.replace(/\.md$/, '.html');
  return evidenceFile('report_html', now);
}

export interface HtmlReport {
  html: string;
  /** vega-lite warnings while compiling the charts (none expected). */
  warnings: string[];
}

/** Build the page's HTML from a run's evidence (no write). */
export async function buildHtmlReport(ev: RunEvidence, now = new Date()): Promise<HtmlReport> {
  const phases = derivePhases(ev);
  const charts = buildCharts(ev);
  const domain = runDomain(phases, charts);
  const rendered: RenderedChart[] = [];
  const moments: MomentPanel[] = [];
  const warnings: string[] = [];
  const svg = async (spec: Parameters<typeof renderSvg>[0]): Promise<string> => {
    const r = await renderSvg(spec);
    warnings.push(...r.warnings);
    return r.svg;
  };
  let timelineSvg: string | null = null;
  if (domain) {
    timelineSvg = phases.length ? await svg(timelineSpec(phases, domain, MAIN.width)) : null;
    for (const def of charts) rendered.push({ def, svg: await svg(metricSpec(def, phases, domain, MAIN)) });
    for (const moment of snapshotMoments(ev.monitor)) {
      const panel: MomentPanel = { moment, charts: [] };
      if (moment.reached) {
        const cut = { start: domain.start, end: moment.at };
        for (const def of charts) {
          const c = cutChart(def, moment.at);
          panel.charts.push({ def: c, svg: await svg(metricSpec(c, phases, cut, SMALL, true)) });
        }
      }
      moments.push(panel);
    }
  }
  const reason = rollbackReason(ev);
  const html = renderPage({
    runId: ev.runId,
    generatedAt: now,
    report: ev.report,
    reportFile: ev.reportFile,
    rollback:
      reason === null
        ? null
        : {
            reason,
            outcome: rollbackOutcome(ev),
            incidents: ev.incidents,
            timing: rollbackTiming(ev.dir, rollbackMaxS(ev.plan)),
            watch: ((w) => (w ? { file: w.file, verdict: w.value.verdict, message: w.value.message } : null))(
              newestValid<RollbackWatchResult>(ev.dir, 'rollback_watch'),
            ),
          },
    phases,
    timelineSvg,
    charts: rendered,
    moments,
    monitorNote: ev.monitor
      ? `Monitoring ran ${ev.monitor.config.duration_s} s (the runbook's 60 minutes): each panel is every chart cut at that moment.`
      : "No monitoring in this run: the runbook's 15/30/60-minute snapshots have nothing to show.",
    problems: ev.problems,
  });
  return { html, warnings };
}

/**
 * Write `pool_scaling_verification_<ts>.html` into the evidence folder: one self-contained file (inline CSS and
 * SVG charts rendered here by vega), readable offline and without script. `planFile` stands in for the folder's
 * plan.json. Returns its path.
 */
export async function writeHtmlReport(
  evidenceDir: string,
  opts: { now?: Date; planFile?: string } = {},
): Promise<string> {
  const now = opts.now ?? new Date();
  const read = readRunEvidence(evidenceDir);
  const plan = opts.planFile ? loadPlan(opts.planFile) : read.plan;
  const ev: RunEvidence = { ...read, plan, runId: plan?.run_id ?? read.runId };
  const { html } = await buildHtmlReport(ev, now);
  return new EvidenceDir(ev.dir).writeText(htmlFileName(ev, now), html);
}
