import path from 'node:path';
import t from 'tap';
import { authHeaders } from '../../../scripts/lib/target-auth';

t.test('every probe of a target with a token source sends Authorization: Bearer', async (t) => {
  const dir = t.testdir({ token: 'tok-1\n', empty: '' });
  t.same(authHeaders({}), {}, 'no token source: no header');
  t.same(authHeaders({ token_file: path.join(dir, 'token') }), { authorization: 'Bearer tok-1' });
  process.env.POOLGATE_TEST_TARGET_TOKEN = 'tok-2';
  t.teardown(() => void delete process.env.POOLGATE_TEST_TARGET_TOKEN);
  t.same(authHeaders({ token_env: 'POOLGATE_TEST_TARGET_TOKEN' }), { authorization: 'Bearer tok-2' });
  t.throws(() => authHeaders({ token_file: path.join(dir, 'empty') }), { code: 'E_TOKEN', message: /is empty/ });
  t.throws(() => authHeaders({ token_file: path.join(dir, 'missing') }), { code: 'E_TOKEN', message: /ENOENT/ });
  t.throws(() => authHeaders({ token_env: 'POOLGATE_TEST_NO_SUCH' }), { code: 'E_TOKEN' });
});
