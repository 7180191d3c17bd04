import path from 'node:path';
import t from 'tap';
import { bearerMatcher, readToken } from '../../../agent/bearer';
import { endpointOf, normalizePrefix } from '../../../agent/endpoints';

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
  t.equal(normalizePrefix('/ops/'), '/ops');
  t.equal(normalizePrefix('/'), '');
  t.equal(normalizePrefix(undefined), '');
  t.throws(() => normalizePrefix('ops'), /absolute URL path/);
  t.throws(() => normalizePrefix('/ops?x'), /absolute URL path/);
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
