import type { Argv, CommandModule } from 'yargs';
import { printResult } from '../lib/output';

interface ReportHtmlArgs {
  evidenceDir: string;
  plan?: string;
  json: boolean;
}

export const reportHtmlCommand: CommandModule<object, ReportHtmlArgs> = {
  command: 'report-html',
  describe:
    "Write the self-contained HTML report (verdict, eight criteria, charts over the whole run, 15/30/60-minute snapshots) from a run's evidence",
  builder: (y: Argv) =>
    y
      .option('evidence-dir', {
        type: 'string',
        demandOption: true,
        describe: "The run's evidence folder (report.json, events.jsonl, snapshot, verify, loadtest, monitor samples)",
      })
      .option('plan', { type: 'string', describe: 'Plan file (default: plan*.json in the evidence folder)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print {"html": path} on stdout' })
      .example(
        '$0 report-html --evidence-dir evidence/run1',
        'Writes evidence/run1/pool_scaling_verification_<ts>.html beside the Markdown report',
      )
      .example('$0 report-html --evidence-dir evidence/run1 --json', 'For Ansible') as unknown as Argv<ReportHtmlArgs>,
  handler: async (args) => {
    // Loaded here, not at the top: the charting path is heavy and every other command's start-up stays light.
    const { writeHtmlReport } = await import('../lib/html-report');
    const file = await writeHtmlReport(args.evidenceDir, { planFile: args.plan });
    printResult(args, { html: file }, () => `HTML report: ${file}`);
  },
};
