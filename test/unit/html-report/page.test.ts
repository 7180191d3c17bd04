import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { buildHtmlReport, writeHtmlReport } from '../../../scripts/lib/html-report';
import { readRunEvidence } from '../../../scripts/lib/html-report/run-evidence';

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'evidence-run', name);
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

t.test('a real successful run: verdict and eight criteria first, then the charts, self-contained', async (t) => {
  const ev = readRunEvidence(fixture('success'));
  const { html, warnings } = await buildHtmlReport(ev, new Date('2026-11-30T19:00:00Z'));
  t.same(warnings, [], 'vega-lite compiled every chart without a warning');
  t.match(html, /data-verdict="SUCCESS"/);
  t.equal(count(html, /<tr data-criterion=/g), 8);
  t.ok(html.indexOf('id="verdict"') < html.indexOf('<svg'), 'the verdict comes before any chart');
  t.ok(html.indexOf('data-criterion="sustained"') < html.indexOf('<svg'), 'so do the criteria');
  // 1 timeline + 5 charts + 3 moments × 5 charts.
  t.equal(count(html, /<svg /g), 21);
  t.equal(count(html, /data-moment=/g), 3);
  t.notMatch(html, /<script/i);
  t.notMatch(html, /(src|href)=/i, 'nothing to fetch');
  t.match(html, /Content-Security-Policy" content="default-src 'none'/);
  for (const label of ['baseline', 'standby changed', 'traffic switched', 'primary changed', 'load test', 'monitoring'])
    t.match(html, new RegExp(`>${label}<`), `phase ${label} labelled`);
});

t.test(
  'a real rolled-back run without report.json: the rollback is the headline, the criteria say why they are absent',
  async (t) => {
    const { html, warnings } = await buildHtmlReport(readRunEvidence(fixture('rollback')));
    t.same(warnings, []);
    t.match(html, /data-verdict="ROLLED BACK"/);
    t.match(html, /No report\.json in the evidence folder/);
    t.match(html, /incidents\/\d{8}T\d{6}Z_pool_scaling_incident\.md/);
    t.match(html, /No monitoring in this run/);
    t.match(html, />rollback</);
    t.match(
      html,
      /<p data-rollback-time="PASS">Rollback time: <span class="pass">21\.6s from the trigger \(verify failed .* — bound 10m, runbook &quot;Expected Rollback Time: 5-10 minutes&quot;: PASS<\/span><\/p>/,
      'the rollback time, judged against its bound',
    );
  },
);

t.test(
  'writeHtmlReport writes beside the Markdown report, with its timestamp; text from the evidence is escaped',
  async (t) => {
    const dir = t.testdir({});
    for (const f of fs.readdirSync(fixture('success')))
      fs.copyFileSync(path.join(fixture('success'), f), path.join(dir, f));
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify({ ...report, operator: 'A. <b>x</b>' }));
    fs.appendFileSync(path.join(dir, 'monitor_samples.jsonl'), '{"not": "a sample"}\n');
    const file = await writeHtmlReport(dir);
    t.equal(path.basename(file), report.markdown_file.replace(/\.md$/, '.html'));
    const html = fs.readFileSync(file, 'utf8');
    t.notMatch(html, /<b>x<\/b>/);
    t.match(html, /operator A\. &lt;b&gt;x&lt;\/b&gt;/);
    t.match(html, /monitor_samples\.jsonl line \d+:/, 'a broken sample is named, not silently dropped');
  },
);

t.test('a missing evidence folder is bad input', async (t) => {
  await t.rejects(writeHtmlReport(path.join(t.testdir({}), 'nope')), { code: 'E_INPUT' });
});

t.test(
  'a run stopped before anything was measured: charts without data say so, vega has nothing to warn about',
  async (t) => {
    const dir = t.testdir({});
    for (const f of ['plan.json', 'events.jsonl'])
      fs.copyFileSync(path.join(fixture('rollback'), f), path.join(dir, f));
    const { html, warnings } = await buildHtmlReport(readRunEvidence(dir));
    t.same(warnings, []);
    t.match(html, /data-verdict="ROLLED BACK"/);
    t.match(html, /No data for: p50, p95, p99\./);
    t.equal(count(html, /<figure class="chart" data-chart=/g), 5);
  },
);
