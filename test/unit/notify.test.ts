import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import {
  announce,
  buildMessage,
  notify,
  redactUrl,
  resolveWebhookUrl,
  scrubSecret,
  type Poster,
} from '../../scripts/lib/notify';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'evidence-run', name);
const URL_WITH_TOKEN = 'https://hooks.example.test/services/T000/B000/XyZsecretToken123?x=1';

function copy(t: Test, name: string): string {
  const dir = t.testdir({});
  const walk = (from: string, to: string): void => {
    for (const f of fs.readdirSync(from)) {
      const src = path.join(from, f);
      if (fs.statSync(src).isDirectory()) {
        fs.mkdirSync(path.join(to, f));
        walk(src, path.join(to, f));
      } else fs.copyFileSync(src, path.join(to, f));
    }
  };
  walk(fixture(name), dir);
  return dir;
}

t.test('the URL is shown as scheme://host/… and scrubbed from any message', async (t) => {
  t.equal(redactUrl(URL_WITH_TOKEN), 'https://hooks.example.test/…');
  t.equal(redactUrl('http://user:pw@127.0.0.1:8080/a/b'), 'http://127.0.0.1:8080/…');
  t.equal(redactUrl('not a url'), '(not a URL)');
  const scrubbed = scrubSecret(
    `connect failed for ${URL_WITH_TOKEN} (path /services/T000/B000/XyZsecretToken123)`,
    URL_WITH_TOKEN,
  );
  t.notMatch(scrubbed, /XyZsecretToken123/);
  t.match(scrubbed, /connect failed/);
});

t.test('the URL comes from the file first, then the flag, then POOLGATE_WEBHOOK_URL', async (t) => {
  const dir = t.testdir({ hook: ' https://a.test/x \n', empty: '' });
  t.same(
    resolveWebhookUrl({
      urlFile: path.join(dir, 'hook'),
      url: 'https://b.test/',
      env: { POOLGATE_WEBHOOK_URL: 'https://c.test/' },
    }),
    { url: 'https://a.test/x' },
  );
  t.same(resolveWebhookUrl({ url: 'https://b.test/', env: { POOLGATE_WEBHOOK_URL: 'https://c.test/' } }), {
    url: 'https://b.test/',
  });
  t.same(resolveWebhookUrl({ env: { POOLGATE_WEBHOOK_URL: 'https://c.test/' } }), { url: 'https://c.test/' });
  t.same(resolveWebhookUrl({ env: {} }), { url: null });
  t.match(resolveWebhookUrl({ urlFile: path.join(dir, 'empty') }), { url: null, error: /is empty/ });
  t.match(resolveWebhookUrl({ urlFile: path.join(dir, 'missing') }), { url: null, error: /unreadable: ENOENT/ });
});

t.test('what each event announces, from real evidence', async (t) => {
  const ok = announce(fixture('success'), 'success', null);
  t.match(ok, {
    runId: '20261206T150644Z-change',
    decision: 'SUCCESS',
    headline: 'SUCCESS',
    change: 'pool max 50 → 200, min 10 → 20',
    operator: 'lab-operator',
  });
  t.equal(announce(fixture('success'), 'start', null).headline, 'STARTED');
  t.equal(
    announce(fixture('success'), 'start', null, path.join(fixture('rollback'), 'plan.json')).runId,
    'fixture-verify-failed',
    "--plan stands in for the folder's plan",
  );
  const rb = announce(fixture('rollback'), 'rollback', null);
  t.equal(rb.headline, 'ROLLED BACK');
  t.equal(rb.rollback, 'VERIFIED');
  t.match(rb.detail, /poolgate verify gate failed/, 'the reason the rollout recorded');
  t.equal(
    announce(fixture('rollback'), 'gate_failed', 'preflight: backup too old').detail,
    'preflight: backup too old',
  );

  const msg = buildMessage({ ...rb, detail: 'a <b> & c', report: '/e/r.html' });
  t.match(msg.text, /^poolgate rollback: ROLLED BACK — run fixture-verify-failed/);
  t.match(msg.text, /a &lt;b&gt; &amp; c/, 'mrkdwn escaped');
  t.match(msg.text, /report: \/e\/r\.html/);
  t.same(
    (msg.blocks as { type: string }[]).map((b) => b.type),
    ['header', 'section', 'section', 'context'],
  );
});

t.test('notify records each attempt and never throws for a failed delivery', async (t) => {
  const dir = copy(t, 'success');
  const recorded = (): string[] => fs.readFileSync(path.join(dir, 'notifications.jsonl'), 'utf8').trim().split('\n');
  const before = recorded().length;
  const sent: { url: string; body: string; timeoutMs: number }[] = [];
  const answers: Awaited<ReturnType<Poster>>[] = [
    { ok: true, status: 204 },
    { ok: false, status: 503, error: 'HTTP 503' },
    { ok: false, error: `ECONNREFUSED at ${URL_WITH_TOKEN}` },
  ];
  const post: Poster = async (url, body, timeoutMs) => {
    sent.push({ url, body, timeoutMs });
    return answers.shift()!;
  };
  const now = () => new Date('2026-11-30T18:00:00Z');
  const a = await notify({ evidenceDir: dir, event: 'start', url: URL_WITH_TOKEN, post, now });
  t.match(a.record, { ok: true, status: 204, target: 'https://hooks.example.test/…', at: '2026-11-30T18:00:00.000Z' });
  t.equal(sent[0]!.timeoutMs, 3000, 'the default timeout is 3 s');
  t.match(JSON.parse(sent[0]!.body), { text: /poolgate start: STARTED/ });
  t.match((await notify({ evidenceDir: dir, event: 'success', url: URL_WITH_TOKEN, post, now })).record, {
    ok: false,
    status: 503,
  });
  const refused = await notify({ evidenceDir: dir, event: 'rollback', url: URL_WITH_TOKEN, post, now });
  t.match(refused.record, { ok: false, error: /^ECONNREFUSED at …/ });
  t.match((await notify({ evidenceDir: dir, event: 'rollback', url: null, post, now })).record, {
    ok: false,
    skipped: true,
    target: null,
  });
  t.match((await notify({ evidenceDir: dir, event: 'rollback', url: 'ftp://x/y', post, now })).record, {
    ok: false,
    error: /not an http\(s\) URL/,
  });
  t.equal(sent.length, 3, 'nothing posted without a usable URL');
  const lines = recorded();
  t.equal(lines.length, before + 5, 'each attempt recorded');
  t.notMatch(lines.join('\n'), /XyZsecretToken123/);
  await t.rejects(notify({ evidenceDir: dir, event: 'start', url: URL_WITH_TOKEN, post, timeoutMs: 5000 }), {
    code: 'E_INPUT',
  });
});

t.test("every message says who it is for: the event's roles and the people the plan names", async (t) => {
  const dir = copy(t, 'rollback');
  const planFile = path.join(dir, 'plan.json');
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as Record<string, unknown>;
  plan.stakeholders = {
    executive_operator: ['Dana Reyes'],
    product_lead: [],
    on_call: ['Riya Patel', '#ledger-oncall'],
  };
  fs.writeFileSync(planFile, JSON.stringify(plan));
  const post: Poster = async () => ({ ok: true, status: 200 });
  const now = () => new Date('2026-11-30T18:00:00Z');

  const rb = await notify({ evidenceDir: dir, event: 'rollback', url: URL_WITH_TOKEN, post, now });
  t.same(rb.record.for, [
    { role: 'executive_operator', label: 'Executive Operator', who: ['Dana Reyes'] },
    { role: 'product_lead', label: 'Product Lead', who: [] },
    { role: 'on_call', label: 'On-call', who: ['Riya Patel', '#ledger-oncall'] },
  ]);
  t.match(
    rb.message.text,
    /for Executive Operator: Dana Reyes · Product Lead: nobody named · On-call: Riya Patel, #ledger-oncall/,
    "the runbook's NOTIFY roles, by name, and the one nobody fills",
  );
  const fields = (rb.message.blocks[1] as { fields: { text: string }[] }).fields.map((f) => f.text);
  t.ok(
    fields.includes(
      '*For*\nExecutive Operator: Dana Reyes · Product Lead: nobody named · On-call: Riya Patel, #ledger-oncall',
    ),
  );
  const gate = await notify({ evidenceDir: dir, event: 'gate_failed', url: null, detail: 'x', now });
  t.same(
    gate.record.for,
    [{ role: 'on_call', label: 'On-call', who: ['Riya Patel', '#ledger-oncall'] }],
    'a failed gate is for the on-call, and the record says so even when nothing was sent',
  );
  const recorded = fs
    .readFileSync(path.join(dir, 'notifications.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { for: unknown });
  t.same(
    recorded.slice(-2).map((r) => r.for),
    [rb.record.for, gate.record.for],
    "both recorded, after the real run's own notifications",
  );
  t.same(
    announce(fixture('success'), 'success', null).for.map((a) => a.who),
    [[], [], []],
    'a plan without stakeholders: every role says nobody',
  );
});
