import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { InputError } from './errors';
import { loadPlan } from './plan';
import { readRunEvidence } from './html-report/run-evidence';
import { EvidenceDir, sha256File } from './evidence';
import { EVIDENCE, evidenceFile, newestOf } from './run-evidence';
import { rollbackOutcome, rollbackReason } from './html-report/phases';
import { assertValid } from './schema';
import { addresseesOf, addresseesText, type Addressee } from './stakeholders';
import type { Notification } from '../types/notification';
import { headlineOf, type Decision, type RollbackOutcome } from './verdict';

export type NotifyEvent = Notification['event'];
export const NOTIFY_EVENTS: readonly NotifyEvent[] = ['start', 'gate_failed', 'rollback', 'success', 'sealed'];
/** The longest a notification may hold up the change. */
export const MAX_TIMEOUT_MS = 3000;

/** A Slack incoming-webhook payload (also what Mattermost, Rocket.Chat and most chat webhooks accept). */
export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

/** What one message says, gathered from the evidence folder. */
export interface Announcement {
  event: NotifyEvent;
  runId: string;
  decision: Decision | null;
  rollback: RollbackOutcome | null;
  headline: string;
  change: string | null;
  operator: string | null;
  report: string | null;
  detail: string | null;
  /** `sealed`: the manifest's digest, carried off the box, and whether it is signed. */
  seal: { manifest_sha256: string; signed: boolean } | null;
  /** Who the message is for: the event's roles and the people or channels the plan names for each. */
  for: Addressee[];
}

/** scheme://host/… : enough to tell which webhook, never the path or query that carry its token. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(not a URL)';
  }
}

/** Remove every piece of the URL that could be secret from a message (an error may quote the URL). */
export function scrubSecret(text: string, url: string): string {
  const secrets = [url];
  try {
    const u = new URL(url);
    secrets.push(
      u.href,
      `${u.pathname}${u.search}`,
      u.search,
      u.password,
      u.username,
      ...u.pathname.split('/').filter((s) => s.length >= 6),
    );
    if (u.pathname.length > 1) secrets.push(u.pathname);
  } catch {
    // not a URL: the whole string is the only thing to hide
  }
  let out = text;
  for (const s of secrets.filter((s) => s.length > 1).sort((a, b) => b.length - a.length)) out = out.split(s).join('…');
  return out;
}

/** Where the webhook URL comes from: a file (preferred: not on argv), the flag, or POOLGATE_WEBHOOK_URL. */
export function resolveWebhookUrl(opts: { url?: string; urlFile?: string; env?: NodeJS.ProcessEnv }): {
  url: string | null;
  error?: string;
} {
  if (opts.urlFile) {
    try {
      const url = fs.readFileSync(opts.urlFile, 'utf8').trim();
      return url ? { url } : { url: null, error: `webhook URL file ${opts.urlFile} is empty` };
    } catch (err) {
      return {
        url: null,
        error: `webhook URL file ${opts.urlFile} unreadable: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      };
    }
  }
  const url = opts.url ?? opts.env?.POOLGATE_WEBHOOK_URL;
  return { url: url && url.trim() ? url.trim() : null };
}

/**
 * What the message says for this event, read from the run's evidence (the HTML report first, it has the charts).
 * `planFile` stands in for the folder's plan.json (the Ansible role passes --plan to every command).
 */
export function announce(
  evidenceDir: string,
  event: NotifyEvent,
  detail: string | null,
  planFile?: string,
): Announcement {
  const read = readRunEvidence(evidenceDir);
  const plan = planFile ? loadPlan(planFile) : read.plan;
  const ev = { ...read, plan, runId: plan?.run_id ?? read.runId };
  const reportFile = newestOf(ev.dir, 'report_html') ?? newestOf(ev.dir, 'report_markdown');
  const to = ev.plan?.change.to;
  const from = ev.plan?.change.from;
  const change =
    to?.max !== undefined
      ? `pool max ${from?.max ?? '?'} → ${to.max}${to.min !== undefined ? `, min ${from?.min ?? '?'} → ${to.min}` : ''}`
      : null;
  const rollback = rollbackOutcome(ev);
  const decision: Decision | null =
    event === 'start'
      ? null
      : event === 'rollback' || (event === 'sealed' && rollback !== null)
        ? 'ROLLBACK'
        : event === 'success'
          ? (ev.report?.decision ?? 'INCOMPLETE')
          : (ev.report?.decision ?? null);
  const seal = event === 'sealed' ? sealOf(ev.dir) : null;
  return {
    event,
    runId: ev.runId,
    decision,
    rollback,
    headline: headlineOf(event, decision, rollback),
    change,
    operator: ev.report?.operator ?? ev.plan?.operator ?? null,
    report: reportFile ? path.join(ev.dir, reportFile) : null,
    detail:
      detail ??
      (event === 'rollback'
        ? rollbackReason(ev)
        : seal
          ? `${EVIDENCE.manifest.name()} sha256 ${seal.manifest_sha256} (${seal.signed ? 'signed' : 'NOT signed'}): keep it to check the folder later`
          : null),
    seal,
    for: addresseesOf(event, ev.plan?.stakeholders),
  };
}

/** The sealed folder's manifest digest; a folder not sealed yet has nothing to announce. */
function sealOf(dir: string): { manifest_sha256: string; signed: boolean } {
  const manifest = path.join(dir, EVIDENCE.manifest.name());
  if (!fs.existsSync(manifest))
    throw new InputError(`${dir} is not sealed (no ${EVIDENCE.manifest.name()}): run poolgate evidence seal first`);
  return {
    manifest_sha256: sha256File(manifest),
    signed: fs.existsSync(path.join(dir, EVIDENCE.manifest_signature.name())),
  };
}

const HEADLINES: Record<NotifyEvent, string> = {
  start: 'Pool change started',
  gate_failed: 'Pool change stopped: a gate failed',
  rollback: 'Pool change rolled back',
  success: 'Pool change verified',
  sealed: 'Pool change evidence sealed',
};

/** Slack's mrkdwn needs only these three escaped. */
const mrkdwn = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function buildMessage(a: Announcement): SlackMessage {
  const summary = [
    `poolgate ${a.event}: ${a.headline} — run ${a.runId}`,
    `for ${addresseesText(a.for)}`,
    a.change,
    a.detail,
    a.report ? `report: ${a.report}` : null,
  ].filter((x): x is string => !!x);
  const fields = [
    `*Run*\n\`${mrkdwn(a.runId)}\``,
    `*Event*\n${a.event}`,
    `*Verdict*\n${mrkdwn(a.headline)}`,
    ...(a.change ? [`*Change*\n${mrkdwn(a.change)}`] : []),
    ...(a.operator ? [`*Operator*\n${mrkdwn(a.operator)}`] : []),
    `*For*\n${mrkdwn(addresseesText(a.for))}`,
  ].map((text) => ({ type: 'mrkdwn', text }));
  return {
    text: mrkdwn(summary.join(' · ')),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${HEADLINES[a.event]}: ${a.headline}`.slice(0, 150) } },
      { type: 'section', fields },
      ...(a.detail ? [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(a.detail).slice(0, 2900) } }] : []),
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: a.report ? `Report: \`${mrkdwn(a.report)}\`` : 'Report: not written yet' }],
      },
    ],
  };
}

export interface Delivery {
  ok: boolean;
  status?: number;
  error?: string;
}

export type Poster = (url: string, body: string, timeoutMs: number) => Promise<Delivery>;

/** POST the JSON; any failure (refused, timeout, non-2xx) is a Delivery with ok false, never a throw. */
export const postJson: Poster = async (url, body, timeoutMs) => {
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 300
      ? { ok: true, status: res.statusCode }
      : { ok: false, status: res.statusCode, error: `HTTP ${res.statusCode}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string }; code?: string };
    const name =
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `timeout after ${timeoutMs} ms`
        : (e.cause?.code ?? e.code ?? e.message);
    return { ok: false, error: String(name) };
  }
};

export interface NotifyOptions {
  evidenceDir: string;
  event: NotifyEvent;
  url: string | null;
  /** Why the URL could not be had (an unreadable file): recorded as the failure. */
  urlError?: string;
  detail?: string | null;
  planFile?: string;
  timeoutMs?: number;
  now?: () => Date;
  post?: Poster;
}

/**
 * Announce one rollout event on the webhook and record the attempt in notifications.jsonl. Delivery failures
 * are returned (and recorded), never thrown: a notification must not break the change it reports on.
 */
export async function notify(opts: NotifyOptions): Promise<{ record: Notification; message: SlackMessage }> {
  const timeoutMs = opts.timeoutMs ?? MAX_TIMEOUT_MS;
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS))
    throw new InputError(`--timeout-ms must be in 1..${MAX_TIMEOUT_MS} (a notification must not hold up the change)`);
  const now = opts.now ?? (() => new Date());
  const a = announce(opts.evidenceDir, opts.event, opts.detail ?? null, opts.planFile);
  const message = buildMessage(a);
  const base = {
    event: opts.event,
    at: now().toISOString(),
    run_id: a.runId,
    decision: a.decision,
    rollback: a.rollback,
    headline: a.headline,
    report: a.report,
    ...(a.seal ?? {}),
    for: a.for,
  };
  let record: Notification;
  if (!opts.url) {
    record = opts.urlError
      ? { ...base, ok: false, target: null, error: opts.urlError }
      : {
          ...base,
          ok: false,
          skipped: true,
          target: null,
          error: 'no webhook configured (--webhook-url-file, --webhook-url or POOLGATE_WEBHOOK_URL)',
        };
  } else {
    const target = redactUrl(opts.url);
    let valid = false;
    try {
      valid = ['http:', 'https:'].includes(new URL(opts.url).protocol);
    } catch {
      valid = false;
    }
    const started = Date.now();
    const d: Delivery = valid
      ? await (opts.post ?? postJson)(opts.url, JSON.stringify(message), timeoutMs)
      : { ok: false, error: 'the webhook URL is not an http(s) URL' };
    record = {
      ...base,
      ok: d.ok,
      target,
      ...(d.status !== undefined ? { status: d.status } : {}),
      ...(d.error !== undefined ? { error: scrubSecret(d.error, opts.url) } : {}),
      elapsed_ms: Date.now() - started,
    };
  }
  // What is sent after the seal is recorded outside the manifest (evidence verify checks it carries the digest).
  new EvidenceDir(opts.evidenceDir).appendLine(
    evidenceFile(opts.event === 'sealed' ? 'seal_notifications' : 'notifications'),
    JSON.stringify(assertValid<Notification>('notification', record, 'notification record')),
  );
  return { record, message };
}
