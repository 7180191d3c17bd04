import type { Argv, CommandModule } from 'yargs';
import { MAX_TIMEOUT_MS, NOTIFY_EVENTS, notify, resolveWebhookUrl, type NotifyEvent } from '../lib/notify';
import { printResult } from '../lib/output';

interface NotifyArgs {
  event: NotifyEvent;
  evidenceDir: string;
  webhookUrl?: string;
  webhookUrlFile?: string;
  detail?: string;
  plan?: string;
  timeoutMs: number;
  json: boolean;
}

export const notifyCommand: CommandModule<object, NotifyArgs> = {
  command: 'notify',
  describe:
    'Announce a rollout event (start, gate_failed, rollback, success) on a Slack-compatible webhook; a failed delivery is reported and recorded but exits 0',
  builder: (y: Argv) =>
    y
      .option('event', { choices: NOTIFY_EVENTS, demandOption: true, describe: 'Which rollout event' })
      .option('evidence-dir', {
        type: 'string',
        demandOption: true,
        describe: "The run's evidence folder (run id, verdict, report path; notifications.jsonl goes here)",
      })
      .option('webhook-url-file', {
        type: 'string',
        describe: 'File holding the webhook URL (preferred: the URL carries a token and stays off argv)',
      })
      .option('webhook-url', {
        type: 'string',
        describe: 'The webhook URL (default: $POOLGATE_WEBHOOK_URL); never printed, only scheme://host/…',
      })
      .option('detail', {
        type: 'string',
        describe: 'What happened, e.g. the failed gate (default for rollback: the recorded rollback reason)',
      })
      .option('plan', {
        type: 'string',
        describe: 'Plan file (default: plan*.json in the evidence folder): run id, change, operator',
      })
      .option('timeout-ms', {
        type: 'number',
        default: MAX_TIMEOUT_MS,
        describe: `Give up after this long (at most ${MAX_TIMEOUT_MS})`,
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the notifications.jsonl record on stdout' })
      .example(
        '$0 notify --event start --evidence-dir evidence/run1 --webhook-url-file /etc/poolgate/webhook',
        'When the rollout starts',
      )
      .example(
        'POOLGATE_WEBHOOK_URL=https://hooks.slack.com/services/… $0 notify --event rollback --evidence-dir evidence/run1',
        'After a rollback; the reason comes from events.jsonl',
      ) as unknown as Argv<NotifyArgs>,
  handler: async (args) => {
    const { url, error } = resolveWebhookUrl({ url: args.webhookUrl, urlFile: args.webhookUrlFile, env: process.env });
    const { record } = await notify({
      evidenceDir: args.evidenceDir,
      event: args.event,
      url,
      urlError: error,
      detail: args.detail,
      planFile: args.plan,
      timeoutMs: args.timeoutMs,
    });
    if (!record.ok)
      process.stderr.write(
        `poolgate notify: ${record.skipped ? 'not sent' : 'NOT DELIVERED'} (${record.event} to ${record.target ?? 'no webhook'}): ${record.error ?? 'unknown'}; recorded in notifications.jsonl, the change goes on\n`,
      );
    printResult(args, record, () =>
      record.ok
        ? `notified ${record.event} (${record.headline}) to ${record.target} in ${record.elapsed_ms ?? 0} ms`
        : `notification ${record.event} not delivered`,
    );
  },
};
