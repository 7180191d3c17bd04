import os from 'node:os';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { renderReport } from '../lib/judge/report-markdown';
import { readReportEvidence } from '../lib/judge/report-evidence';
import { buildReport } from '../lib/judge/verification-report';
import { printResult, table } from '../lib/output';
import { rollbackSection } from '../lib/rollback-time';
import { evidenceFile, requireRunFolder } from '../lib/run-evidence';
import type { VerificationReport } from '../types/report';

interface ReportArgs {
  evidenceDir: string;
  plan?: string;
  operator?: string;
  json: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe:
    "Write the runbook's post-change verification report from a run's evidence (SUCCESS exit 0, ROLLBACK 1, INCOMPLETE 3)",
  builder: (y: Argv) =>
    y
      .option('evidence-dir', {
        type: 'string',
        demandOption: true,
        describe: "The run's evidence folder (snapshot, verify, loadtest, analysis, monitor)",
      })
      .option('plan', {
        type: 'string',
        describe: 'Plan file (default: plan*.json in the evidence folder); gives the change and the operator',
      })
      .option('operator', {
        type: 'string',
        describe: 'Who signs the report (default: plan, snapshot, $POOLGATE_OPERATOR, then the OS user)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print report.json on stdout' })
      .example(
        '$0 report --evidence-dir evidence/run1',
        'Writes evidence/run1/pool_scaling_verification_<ts>.md and report.json',
      )
      .example(
        '$0 report --evidence-dir evidence/run1 --operator "A. Engineer" --json',
        'For Ansible',
      ) as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    const ev = new EvidenceDir(requireRunFolder(args.evidenceDir));
    const { inputs, ...e } = readReportEvidence(ev.dir, args.plan);
    const operator =
      args.operator !== undefined
        ? { name: args.operator, source: '--operator' }
        : e.plan?.operator
          ? { name: e.plan.operator, source: 'plan' }
          : e.snapshot?.operator
            ? { name: e.snapshot.operator, source: 'pre-change snapshot' }
            : process.env.POOLGATE_OPERATOR
              ? { name: process.env.POOLGATE_OPERATOR, source: '$POOLGATE_OPERATOR' }
              : { name: `${os.userInfo().username} (OS user; no operator recorded)`, source: 'os user' };
    if (operator.name.trim() === '') throw new InputError('--operator is empty');

    const now = new Date();
    const md = evidenceFile('report_markdown', now);
    const rollback = rollbackSection(ev.dir, e.plan);
    const report: VerificationReport = buildReport({ ...e, inputs, operator, now, markdownFile: md, rollback });
    ev.writeText(md, renderReport(report));
    ev.writeJson(evidenceFile('report'), 'report', report);
    // The HTML report (charts) is for people and loads vega, so it is written second and lazily; failing to draw
    // it is said on stderr but does not change the decision the Markdown and report.json already record.
    const html = await import('../lib/html-report')
      .then((m) => m.writeHtmlReport(ev.dir, { now }))
      .catch((err: Error) => {
        process.stderr.write(`poolgate report: HTML report not written: ${err.message}\n`);
        return null;
      });
    printResult(args, report, () =>
      [
        `${report.decision}: ${path.join(ev.dir, md)}`,
        ...(html ? [`charts: ${html}`] : []),
        '',
        table(report.criteria.map((c) => [c.verdict, c.label, c.shown])),
      ].join('\n'),
    );
    process.exitCode = report.exit_code;
  },
};
