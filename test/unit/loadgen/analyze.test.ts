import fs from 'node:fs';
import t, { type Test } from 'tap';
import { analyzeCommand } from '../../../scripts/commands/analyze';
import { isValid } from '../../../scripts/lib/schema';
import { SchemaError, exitCodeOf } from '../../../scripts/lib/errors';

/** The exit code the CLI would map the handler's outcome to. */
const exitOf = (p: Promise<unknown>): Promise<number> =>
  p.then(
    () => 0,
    (err: unknown) => exitCodeOf(err),
  );
import { sampleResult } from './sample-result';

/** Runs the analyze handler in-process; returns its exit code and stdout. */
async function analyze(t: Test, args: Record<string, unknown>): Promise<{ code: number; out: string }> {
  const out = t.capture(process.stdout, 'write');
  const before = process.exitCode;
  try {
    await (analyzeCommand.handler as (a: unknown) => Promise<void>)({ json: false, ...args });
    return {
      code: Number(process.exitCode ?? 0),
      out: out()
        .map((c: { args: unknown[] }) => String(c.args[0]))
        .join(''),
    };
  } finally {
    out.restore();
    process.exitCode = before;
  }
}

t.test('exit 0 when every criterion passes, 1 when one fails, 3 when one could not be measured', async (t) => {
  const dir = t.testdir({
    'good.json': JSON.stringify(sampleResult()),
    'slow.json': JSON.stringify(sampleResult({ latencyMs: 600 })),
    'blind.json': JSON.stringify(sampleResult({ samples: null })),
  });
  const good = await analyze(t, { result: `${dir}/good.json` });
  t.equal(good.code, 0);
  t.match(good.out, /PASS: every load-test criterion met/);
  const slow = await analyze(t, { result: `${dir}/slow.json` });
  t.equal(slow.code, 1);
  t.match(slow.out, /p95 latency \(from intended send\)\s+600\.\d+ ms\s+< 500 ms\s+FAIL/);
  t.match(slow.out, /FAIL: .*p95 latency/);
  const blind = await analyze(t, { result: `${dir}/blind.json` });
  t.equal(blind.code, 3);
  t.match(blind.out, /COULD NOT MEASURE/);
  t.equal((await analyze(t, { result: `${dir}/blind.json`, requirePoolMetrics: false })).code, 0);
  t.equal(
    (await analyze(t, { result: `${dir}/good.json`, maxP50Ms: 5 })).code,
    1,
    'a flag tightens a limit (5 ms reads as 5.003)',
  );
});

t.test('--json prints a schema-valid analysis; --evidence-dir writes it', async (t) => {
  const dir = t.testdir({ 'good.json': JSON.stringify(sampleResult()), ev: {} });
  const { code, out } = await analyze(t, { result: `${dir}/good.json`, json: true, evidenceDir: `${dir}/ev` });
  t.equal(code, 0);
  const doc = JSON.parse(out.slice(0, out.lastIndexOf('}') + 1)) as unknown;
  t.ok(isValid('analysis-result', doc));
  const written = fs.readdirSync(`${dir}/ev`);
  t.equal(written.length, 1);
  t.match(written[0], /^analysis_\d{8}T\d{6}Z\.json$/);
});

t.test('bad input is exit 2 (thrown InputError), nothing judged', async (t) => {
  const dir = t.testdir({ 'bad.json': JSON.stringify({ kind: 'loadtest' }), 'notjson.json': '{' });
  await t.rejects(analyze(t, { result: `${dir}/bad.json` }), SchemaError);
  t.equal(await exitOf(analyze(t, { result: `${dir}/notjson.json` })), 2);
  t.equal(await exitOf(analyze(t, { result: `${dir}/missing.json` })), 2);
  t.equal(await exitOf(analyze(t, { result: `${dir}/bad.json`, maxP95Ms: -1 })), 2);
});
