import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../scripts/lib/paths';
import { isValid } from '../../scripts/lib/schema';
import type { LoadtestResult } from '../../scripts/types/loadtest-result';
import { pgQuery, useLab } from '../helpers/lab';
import { runPoolgate, type ProcessRun } from '../helpers/poolgate-cli';

const poolgate = (args: string[], timeoutMs = 120_000): Promise<ProcessRun> => runPoolgate(args, timeoutMs);
const LEDGER = path.join(packageRoot, 'lab', 'scenarios', 'ledger.yml');

t.test(
  'the lab scenario through HAProxy: schema-valid result, every acknowledged write in the database exactly once, analyze passes',
  async (t) => {
    const lab = await useLab(t);
    const dir = t.testdir({});
    const output = path.join(dir, 'post_change_load_test.json');
    const targets = lab.instances.flatMap((i) => ['--target', `${i.name}=${i.url}`]);
    // Lab-sized Step 5: 300 requests over 6 s (50 req/s), 20 % writes, every instance's pool sampled twice a second.
    const run = await poolgate([
      'loadtest',
      '--url',
      lab.haproxy.url,
      '--scenario',
      LEDGER,
      '--allow-writes',
      '--requests',
      '300',
      '--duration',
      '6s',
      '--concurrency',
      '20',
      '--sample-interval',
      '500ms',
      ...targets,
      '--output',
      output,
      '--json',
    ]);
    t.equal(run.code, 0, `loadtest exit 0 (stderr: ${run.stderr.slice(0, 500)})`);
    const result = JSON.parse(fs.readFileSync(output, 'utf8')) as LoadtestResult;
    t.ok(isValid('loadtest-result', result), 'the evidence file validates');
    t.same(JSON.parse(run.stdout), result, '--json prints the same document');
    t.equal(result.outcome.stop_reason, 'completed');
    t.equal(result.requests.sent, 300);
    t.equal(result.requests.failed, 0, `no errors (${JSON.stringify(result.errors.by_kind)})`);
    t.equal(result.requests.by_request['journal-entry']!.ok, 60, '20 % writes acknowledged');
    t.same(
      Object.values(result.requests.by_request).map((c) => c.sent),
      [120, 120, 60],
      "the scenario's weights, exactly",
    );
    t.equal(result.pool.instances.length, 4);
    const primaries = result.pool.instances.filter((i) => i.name.startsWith('primary'));
    for (const i of result.pool.instances) t.ok(i.samples >= 10, `${i.name}: ${i.samples} readings`);
    t.ok(
      primaries.some((i) => (i.utilization_peak_interval_pct ?? 0) > 0),
      'the primaries did the work',
    );

    const captured = result.captures['journal-entry']!;
    t.same({ ...captured, values: captured.values.length }, { json: 'id', values: 60, missing: 0, not_kept: 0 });
    const ids = captured.values.map(Number);
    t.equal(new Set(ids).size, 60, 'no id acknowledged twice');
    // The run's writes, found by the memo the scenario gives them: exactly the acknowledged ones, each once.
    const memo = `poolgate loadtest ${result.config.scenario.run_id} #%`;
    const rows = await pgQuery<{ id: string; memo: string }>(
      lab,
      'SELECT id, memo FROM journal_entries WHERE memo LIKE $1 ORDER BY id',
      [memo],
      'app',
    );
    t.same(
      rows.map((r) => Number(r.id)).sort((a, b) => a - b),
      [...ids].sort((a, b) => a - b),
      'every acknowledged journal entry is in the database, and nothing else of this run',
    );
    t.same(
      rows.map((r) => Number(r.memo.slice(r.memo.indexOf('#') + 1))).sort((a, b) => a - b),
      Array.from({ length: 60 }, (_, i) => i + 1),
      'each of the 60 sequence numbers once: no write duplicated, none lost',
    );
    const lines = await pgQuery<{ n: string }>(
      lab,
      'SELECT count(*) AS n FROM journal_lines WHERE entry_id = ANY($1::bigint[])',
      [ids],
      'app',
    );
    t.equal(Number(lines[0]!.n), 120, 'two lines per entry');

    const analysis = await poolgate(['analyze', output, '--evidence-dir', dir]);
    t.equal(analysis.code, 0, `analyze passes:\n${analysis.stdout}`);
    t.match(analysis.stdout, /^PASS: every load-test criterion met/m);
    t.ok(
      fs.readdirSync(dir).some((f) => /^analysis_.*\.json$/.test(f)),
      'analysis evidence written',
    );

    const strict = await poolgate(['analyze', output, '--max-p50-ms', '0.01', '--json']);
    t.equal(strict.code, 1, 'an impossible limit fails the gate');
    t.equal((JSON.parse(strict.stdout) as { verdict: string }).verdict, 'FAIL');
  },
);

t.test('200 clients back to back on two pools of 50: analyze sees the exhaustion and fails the gate', async (t) => {
  const lab = await useLab(t);
  const dir = t.testdir({});
  const output = path.join(dir, 'overload.json');
  const primaries = lab.instances
    .filter((i) => i.role === 'primary')
    .flatMap((i) => ['--target', `${i.name}=${i.url}`]);
  const run = await poolgate([
    'loadtest',
    '--url',
    lab.haproxy.url,
    '--mode',
    'closed',
    '--concurrency',
    '200',
    '--duration',
    '6s',
    '--scenario',
    LEDGER,
    '--allow-writes',
    '--mix',
    'journal-entry=1',
    '--sample-interval',
    '500ms',
    ...primaries,
    '--output',
    output,
  ]);
  t.equal(run.code, 0, "the run itself completed (judging is analyze's job)");
  const analysis = await poolgate(['analyze', output, '--json']);
  t.equal(analysis.code, 1);
  const doc = JSON.parse(analysis.stdout) as { results: Array<{ id: string; verdict: string; detail?: string }> };
  const exhaustion = doc.results.find((r) => r.id === 'pool_exhaustion')!;
  t.equal(exhaustion.verdict, 'FAIL', `exhaustion: ${exhaustion.detail}`);
  t.equal(doc.results.find((r) => r.id === 'pool_utilization')!.verdict, 'FAIL');
});
