import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { readReportEvidence } from '../../../scripts/lib/judge/report-evidence';
import { buildReport } from '../../../scripts/lib/judge/verification-report';
import { kindOf } from '../../../scripts/lib/run-evidence';
import { isValid } from '../../../scripts/lib/schema';
import type { VerificationReport } from '../../../scripts/types/report';

/**
 * Issue 16 item 2 on a real run's evidence (test/fixtures/evidence-run/success: a `npm run demo` run, trimmed of
 * its HTML): complete, the report says SUCCESS; without any one of its evidence files, or with it unreadable, no
 * report says SUCCESS, and the report names what is missing.
 */
const fixture = path.join(__dirname, '..', '..', 'fixtures', 'evidence-run', 'success');
// The report's own outputs and the run's announcements are not evidence the report stands on.
const NOT_INPUTS = new Set([
  'report',
  'report_markdown',
  'report_html',
  'notifications',
  'manifest',
  'manifest_signature',
]);
const evidenceFiles = fs
  .readdirSync(fixture)
  .filter((f) => !NOT_INPUTS.has(kindOf(f) ?? ''))
  .sort();

function reportOn(dir: string): VerificationReport {
  const now = new Date('2026-12-07T00:00:00.000Z');
  return buildReport({
    ...readReportEvidence(dir),
    operator: { name: 'test', source: '--operator' },
    now,
    markdownFile: 'pool_scaling_verification_20261207T000000Z.md',
  });
}

function copyWithout(t: Test, skip: string, replace?: string): string {
  const dir = t.testdir({});
  for (const f of fs.readdirSync(fixture)) {
    if (f === skip && replace === undefined) continue;
    fs.copyFileSync(path.join(fixture, f), path.join(dir, f));
    if (f === skip) fs.writeFileSync(path.join(dir, f), replace!);
  }
  return dir;
}

t.test("the real run's evidence, complete: SUCCESS, every section measured", async (t) => {
  t.ok(evidenceFiles.length >= 10, `the fixture holds the run's evidence: ${evidenceFiles.join(', ')}`);
  for (const f of evidenceFiles) t.not(kindOf(f), null, `${f} is a kind the evidence owner knows`);
  const r = reportOn(fixture);
  t.ok(isValid('report', r));
  t.equal(r.decision, 'SUCCESS', r.message);
  t.same(
    r.sections.map((s) => [s.id, s.verdict]),
    [
      ['evidence', 'PASS'],
      ['pre', 'PASS'],
      ['post', 'PASS'],
      ['loadtest', 'PASS'],
    ],
  );
  t.ok(r.loadtest.p99_ms !== null && r.loadtest.requests! > 0, 'the load test section holds the measured figures');
});

for (const f of evidenceFiles) {
  t.test(`without ${f}: not SUCCESS, and the report names it`, async (t) => {
    const r = reportOn(copyWithout(t, f));
    t.not(r.decision, 'SUCCESS');
    t.equal(r.exit_code, r.decision === 'ROLLBACK' ? 1 : 3);
    const input = r.inputs.find((i) => i.kind === kindOf(f));
    t.equal(input?.status, 'missing', `${f} is listed as missing`);
    t.match(r.message, new RegExp(`${kindOf(f)}: none missing`), 'the decision says which file is missing');
  });
  t.test(`${f} unreadable: not SUCCESS, and the report names the file`, async (t) => {
    const r = reportOn(copyWithout(t, f, f.endsWith('.log') ? '' : '{"torn": '));
    if (f.endsWith('.log')) {
      // alerts.log has no schema: empty is "no alert", not unreadable
      t.equal(r.decision, 'SUCCESS');
      return;
    }
    t.not(r.decision, 'SUCCESS');
    t.equal(r.inputs.find((i) => i.file === f || i.file?.endsWith(`/${f}`))?.status, 'invalid');
    t.match(r.message, new RegExp(`${f.replace(/\./g, '\\.')} invalid`));
  });
}
