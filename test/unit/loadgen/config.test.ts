import t from 'tap';
import { resolveRunConfig, resolveVolume } from '../../../scripts/lib/loadgen/config';
import { InputError, SchemaError } from '../../../scripts/lib/errors';
import { checkScenario } from '../../../scripts/lib/loadgen/scenario';
import { READ_SCENARIO } from './fakes';

const url = 'http://127.0.0.1:8080';
const scenario = READ_SCENARIO;

t.test('the runbook defaults: 500 requests over 10 minutes, 50 connections, open loop', async (t) => {
  const c = resolveRunConfig({ flags: { url }, targets: [], scenario });
  t.equal(c.mode, 'open');
  t.equal(c.requests, 500);
  t.equal(c.durationMs, 600_000);
  t.equal(c.ratePerS, 500 / 600);
  t.equal(c.concurrency, 50);
  t.equal(c.timeoutMs, 10_000);
  t.equal(c.graceMs, 10_000, 'grace defaults to the request timeout');
  t.same(c.weights, [1], "the scenario's weights");
  t.equal(c.allowWrites, false);
  t.equal(c.baseline, null);
});

t.test('two of requests, duration and rate fix the third', async (t) => {
  t.same(resolveVolume('open', { rate: 2000, duration: '10s' }), {
    requests: 20_000,
    durationMs: 10_000,
    ratePerS: 2000,
  });
  t.same(resolveVolume('open', { rate: 100, requests: 50 }), { requests: 50, durationMs: 500, ratePerS: 100 });
  t.same(resolveVolume('open', { requests: 100, duration: '10s' }), {
    requests: 100,
    durationMs: 10_000,
    ratePerS: 10,
  });
  t.throws(() => resolveVolume('open', { rate: 1, requests: 1, duration: '1s' }), InputError);
  t.throws(() => resolveVolume('closed', { rate: 1 }), /open loop only/);
  t.same(resolveVolume('closed', { duration: '10s' }), { requests: null, durationMs: 10_000, ratePerS: null });
});

t.test('flags override the plan; the volume comes whole from the highest layer that sets it', async (t) => {
  const c = resolveRunConfig({
    plan: { requests: 500, duration: '10m', concurrency: 10 },
    flags: { url, rate: 2000, duration: '10s' },
    targets: [],
    scenario,
  });
  t.equal(c.requests, 20_000, "the plan's requests: 500 is not mixed with --rate/--duration");
  t.equal(c.concurrency, 10, 'the plan still supplies what the flags leave out');
  const fromPlan = resolveRunConfig({
    plan: { requests: 100, duration: '1m' },
    flags: {},
    lbUrl: url,
    targets: [],
    scenario,
  });
  t.equal(fromPlan.url, url, 'url from the plan lb');
  t.equal(fromPlan.ratePerS, 100 / 60);
});

t.test('bad input names the field', async (t) => {
  t.throws(() => resolveRunConfig({ flags: {}, targets: [], scenario }), /no --url/);
  t.throws(() => resolveRunConfig({ flags: { url, concurrency: 0 }, targets: [], scenario }), SchemaError);
  t.throws(() => resolveRunConfig({ flags: { url, duration: '10' }, targets: [], scenario }), /duration/);
  t.throws(() => resolveRunConfig({ flags: { url: 'http://x/path' }, targets: [], scenario }), /\/url/);
  t.throws(() => resolveRunConfig({ flags: { url }, targets: [] }), /no scenario: give --scenario/);
  t.throws(
    () => resolveRunConfig({ flags: { url, scenario: '/nonexistent/scenario.yml' }, targets: [] }),
    /cannot read scenario \/nonexistent\/scenario.yml/,
  );
  t.throws(() => resolveRunConfig({ flags: { url, mix: { nope: 1 } }, targets: [], scenario }), /mix names "nope"/);
});

const baseline = (rps: number) => ({
  file: 'snap.json',
  taken_at: '2026-02-01T02:00:00.000Z',
  requests_per_s: rps,
  instances: [{ name: 'primary-1', requests_per_s: rps }],
});

t.test("the runbook's reading: 10 minutes at the baseline's traffic, 500 requests at least", async (t) => {
  const busy = resolveRunConfig({ flags: { url }, targets: [], scenario, baseline: baseline(120) });
  t.equal(busy.ratePerS, 120, "the baseline's 120 req/s, not 500 / 600 s");
  t.equal(busy.requests, 72_000, '120 req/s for 10 minutes');
  t.equal(busy.durationMs, 600_000);
  t.equal(busy.concurrency, 50);
  t.equal(busy.baselineFactor, 1);
  const twice = resolveRunConfig({
    flags: { url, baseline_factor: 2 },
    targets: [],
    scenario,
    baseline: baseline(120),
  });
  t.equal(twice.ratePerS, 240);
  const quiet = resolveRunConfig({ flags: { url }, targets: [], scenario, baseline: baseline(0.1) });
  t.equal(quiet.ratePerS, 500 / 600, 'a quiet baseline: the 500 requests are the minimum sample');
  t.equal(quiet.requests, 500);
  const explicit = resolveRunConfig({ flags: { url, rate: 10 }, targets: [], scenario, baseline: baseline(120) });
  t.equal(explicit.ratePerS, 10, 'an explicit rate wins (analyze still compares it with the baseline)');
  const closed = resolveRunConfig({ flags: { url, mode: 'closed' }, targets: [], scenario, baseline: baseline(120) });
  t.equal(closed.ratePerS, null, 'a closed loop has no rate to derive');
  t.equal(closed.baselineFactor, null);
});

t.test('a scenario that writes is refused unless the target allows writes', async (t) => {
  const writes = checkScenario(
    {
      requests: [
        { name: 'list', method: 'GET', path: '/items' },
        { name: 'create', method: 'POST', path: '/items', writes: true, json: { n: '{{seq}}' }, expect: [201] },
      ],
    },
    { file: null, sha256: null, name: 'items' },
  );
  const err = t.throws(() => resolveRunConfig({ flags: { url }, targets: [], scenario: writes })) as InputError;
  t.equal(err.code, 'E_WRITES_NOT_ALLOWED');
  t.equal(err.exitCode, 2);
  t.match(err.message, /create \(POST \/items\)/, 'names the request');
  t.match(err.message, /target http:\/\/127\.0\.0\.1:8080/, 'names the target');
  t.match(err.message, /loadtest\.allow_writes: true/, 'names the plan field to set');
  t.ok(resolveRunConfig({ flags: { url, allow_writes: true }, targets: [], scenario: writes }), 'allowed: runs');
  t.ok(
    resolveRunConfig({ plan: { allow_writes: true }, flags: { url }, targets: [], scenario: writes }),
    "allowed by the plan's loadtest section",
  );
  const readsOnly = resolveRunConfig({ flags: { url, mix: { list: 1 } }, targets: [], scenario: writes });
  t.same(readsOnly.weights, [1, 0], 'a mix that leaves the writes out needs no permission');
});
