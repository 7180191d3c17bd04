import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { reportCommand } from '../../../scripts/commands/report';
import { resolveMonitorConfig } from '../../../scripts/lib/judge/monitor-defaults';
import { isValid } from '../../../scripts/lib/schema';
import type { MonitorResult } from '../../../scripts/types/monitor-result';
import type { VerificationReport } from '../../../scripts/types/report';

const stat = (max: number | null) => ({ max, mean: max, last: max, measured_samples: max === null ? 0 : 5 });
const monitor: MonitorResult = {
  kind: 'monitor',
  started_at: '2026-02-01T02:30:00.000Z',
  ended_at: '2026-02-01T03:30:00.000Z',
  verdict: 'PASS',
  message: 'PASS: no rollback trigger',
  exit_code: 0,
  completed: true,
  config: { ...resolveMonitorConfig(), db_probe: false },
  targets: ['p1'],
  samples: { total: 13, unmeasured: 0, dropped_intervals: 0 },
  alerts: { warning: 0, critical: 0, recent: [] },
  summary: {
    requests: 1000,
    errors: 0,
    error_rate: 0,
    acquire_timeouts: 0,
    p95_ms: stat(100),
    pool_utilization: stat(0.2),
    acquire_wait_p95_ms: stat(1),
    active_connections: stat(10),
    db_backends: stat(null),
    new_backends_per_s: stat(null),
    db_cpu_pct: stat(20),
    pool_max: { p1: 200 },
  },
  files: { samples: 'monitor_samples.jsonl', alerts: 'alerts.log' },
};

t.test('report reads the folder through the schemas; an invalid file is reported, not used', async (t) => {
  const dir = t.testdir({
    'monitor_20260201T023000Z.json': JSON.stringify(monitor),
    'pre_change_snapshot_20260201T020000Z.json': '{"command":"snapshot"}',
    'monitor_samples.jsonl': '{}\n',
  });
  // capture only while the handler runs: tap reports through the same stdout
  const before = process.exitCode;
  const write = process.stdout.write;
  let printed = '';
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (printed += String(chunk)),
    true
  )) as typeof process.stdout.write;
  let code: typeof process.exitCode;
  try {
    await reportCommand.handler({ evidenceDir: dir, operator: 'Ops', json: true, _: [], $0: 'poolgate' });
  } finally {
    process.stdout.write = write;
    code = process.exitCode;
    process.exitCode = before;
  }
  const report = JSON.parse(printed) as VerificationReport;
  t.ok(isValid('report', report));
  t.equal(code, 3, 'the target max is nowhere in the evidence: INCOMPLETE');
  t.equal(report.decision, 'INCOMPLETE');
  const snapshot = report.inputs.find((i) => i.kind === 'snapshot')!;
  t.equal(snapshot.status, 'invalid');
  t.match(snapshot.detail, /missing required key/);
  t.equal(report.pre.p95_ms, null, 'the invalid snapshot was not used');
  t.equal(report.inputs.find((i) => i.kind === 'monitor')!.status, 'used');
  t.equal(report.criteria.find((c) => c.id === 'sustained')!.verdict, 'PASS');
  const md = fs.readFileSync(path.join(dir, report.markdown_file), 'utf8');
  t.match(md, /- snapshot: pre_change_snapshot_20260201T020000Z.json — invalid/);
  t.ok(fs.existsSync(path.join(dir, 'report.json')));
  const html = report.markdown_file.replace(/\.md$/, '.html');
  t.match(
    fs.readFileSync(path.join(dir, html), 'utf8'),
    /<svg/,
    'the HTML report with charts is written beside the Markdown',
  );
});
