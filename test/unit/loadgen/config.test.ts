import t from 'tap';
import { resolveRunConfig, resolveVolume } from '../../../scripts/lib/loadgen/config';
import { InputError, SchemaError } from '../../../scripts/lib/errors';

const url = 'http://127.0.0.1:8080';

t.test('the runbook defaults: 500 requests over 10 minutes, 50 connections, open loop', async (t) => {
  const c = resolveRunConfig({ flags: { url }, targets: [] });
  t.equal(c.mode, 'open');
  t.equal(c.requests, 500);
  t.equal(c.durationMs, 600_000);
  t.equal(c.ratePerS, 500 / 600);
  t.equal(c.concurrency, 50);
  t.equal(c.timeoutMs, 10_000);
  t.equal(c.graceMs, 10_000, 'grace defaults to the request timeout');
  t.same(c.mix, { balance: 40, accounts: 40, write: 20 });
  t.same(c.accounts, { first: 1, last: 20 });
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
  });
  t.equal(c.requests, 20_000, "the plan's requests: 500 is not mixed with --rate/--duration");
  t.equal(c.concurrency, 10, 'the plan still supplies what the flags leave out');
  const fromPlan = resolveRunConfig({ plan: { requests: 100, duration: '1m' }, flags: {}, lbUrl: url, targets: [] });
  t.equal(fromPlan.url, url, 'url from the plan lb');
  t.equal(fromPlan.ratePerS, 100 / 60);
});

t.test('bad input names the field', async (t) => {
  t.throws(() => resolveRunConfig({ flags: {}, targets: [] }), /no --url/);
  t.throws(() => resolveRunConfig({ flags: { url, concurrency: 0 }, targets: [] }), SchemaError);
  t.throws(() => resolveRunConfig({ flags: { url, duration: '10' }, targets: [] }), /duration/);
  t.throws(() => resolveRunConfig({ flags: { url: 'http://x/path' }, targets: [] }), /\/url/);
});
