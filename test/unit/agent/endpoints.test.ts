import path from 'node:path';
import t from 'tap';
import { bearerMatcher, readToken } from '../../../agent/bearer';
import { ENDPOINT_PATHS, endpointOf, normalizePrefix, type Endpoint } from '../../../agent/endpoints';

t.test('endpoints by path, with or without a prefix; everything else is the app’s', async (t) => {
  t.equal(endpointOf('/health', ''), 'health');
  t.equal(endpointOf('/api/health/metrics?x=1', ''), 'metrics');
  t.equal(endpointOf('/api/health/pool-config', ''), 'pool-config');
  t.equal(endpointOf('/metrics', ''), 'prometheus');
  t.equal(endpointOf('/healthz', ''), undefined);
  t.equal(endpointOf('/api/accounts', ''), undefined);
  t.equal(endpointOf('/ops/health', '/ops'), 'health');
  t.equal(endpointOf('/health', '/ops'), undefined, 'not at the root when prefixed');
  t.equal(endpointOf('/opsx/health', '/ops'), undefined);
  t.equal(endpointOf('/', ''), undefined, 'shorter than any endpoint');
  t.equal(endpointOf('', ''), undefined);
  t.equal(endpointOf('/ops', '/ops'), undefined, 'the prefix alone');
  t.equal(endpointOf('/api/health', ''), undefined, 'the shared start of two endpoints');
  t.equal(normalizePrefix('/ops/'), '/ops');
  t.equal(normalizePrefix('/'), '');
  t.equal(normalizePrefix(undefined), '');
  t.throws(() => normalizePrefix('ops'), /absolute URL path/);
  t.throws(() => normalizePrefix('/ops?x'), /absolute URL path/);
});

t.test('every path of the contract is routed, under any prefix, and nothing one character off', async (t) => {
  for (const [endpoint, p] of Object.entries(ENDPOINT_PATHS) as [Endpoint, string][]) {
    for (const prefix of ['', '/ops', '/a/b']) {
      t.equal(endpointOf(`${prefix}${p}`, prefix), endpoint, `${prefix}${p}`);
      t.equal(endpointOf(`${prefix}${p}?v=1`, prefix), endpoint, `${prefix}${p}?v=1`);
      t.equal(endpointOf(`${prefix}${p}x`, prefix), undefined, `${prefix}${p}x`);
      t.equal(endpointOf(`${prefix}${p.slice(0, -1)}`, prefix), undefined, `${prefix}${p.slice(0, -1)}`);
    }
  }
});

t.test('the bearer token: exact match only, whatever the case of "Bearer"', async (t) => {
  const ok = bearerMatcher('s3cret');
  t.ok(ok('Bearer s3cret'));
  t.ok(ok('bearer s3cret'));
  t.notOk(ok('Bearer s3cre'));
  t.notOk(ok('Bearer s3cret2'));
  t.notOk(ok('Basic s3cret'));
  t.notOk(ok(undefined));
});

t.test('token sources: a file (trimmed), a variable, a value; an empty one is refused', async (t) => {
  const dir = t.testdir({ token: 'abc\n', empty: '\n' });
  t.equal(readToken({ file: path.join(dir, 'token') }), 'abc');
  process.env.POOLGATE_TEST_TOKEN = 'xyz';
  t.teardown(() => void delete process.env.POOLGATE_TEST_TOKEN);
  t.equal(readToken({ env: 'POOLGATE_TEST_TOKEN' }), 'xyz');
  t.equal(readToken('v'), 'v');
  t.throws(() => readToken({ file: path.join(dir, 'empty') }), /holds no token/);
  t.throws(() => readToken({ file: path.join(dir, 'missing') }), /ENOENT/);
  t.throws(() => readToken({ env: 'POOLGATE_TEST_NO_SUCH' }), /holds no token/);
});
