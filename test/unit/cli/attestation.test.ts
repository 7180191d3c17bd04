import t from 'tap';
import { judgeAttestation } from '../../../scripts/lib/attestation';

const now = new Date('2026-02-01T02:00:00Z');
const never = async (): Promise<never> => {
  throw new Error('no URL should be probed');
};

t.test('missing: nobody vouched, the item fails and says where to record it', async (t) => {
  const i = await judgeAttestation('rollback_plan_tested', 'rollback plan tested', undefined, now, 12, never);
  t.equal(i.verdict, 'FAIL');
  t.match(i.detail, /plan\.preflight\.attestations\.rollback_plan_tested/);
});

t.test('a person: 12 h old passes, older fails, the future fails', async (t) => {
  t.equal((await judgeAttestation('x', 'x', { by: 'A', at: '2026-01-31T14:00:00Z' }, now, 12, never)).verdict, 'PASS');
  t.equal((await judgeAttestation('x', 'x', { by: 'A', at: '2026-01-31T13:59:59Z' }, now, 12, never)).verdict, 'FAIL');
  t.equal((await judgeAttestation('x', 'x', { by: 'A', at: '2026-02-01T03:00:00Z' }, now, 12, never)).verdict, 'FAIL');
});

t.test('a URL: 2xx attests, another status fails, no answer is COULD_NOT_MEASURE', async (t) => {
  const att = { url: 'http://127.0.0.1:9/status' };
  t.equal((await judgeAttestation('x', 'x', att, now, 12, async () => ({ status: 204 }))).verdict, 'PASS');
  t.equal((await judgeAttestation('x', 'x', att, now, 12, async () => ({ status: 503 }))).verdict, 'FAIL');
  const down = await judgeAttestation('x', 'x', att, now, 12, async () => ({ error: 'connect ECONNREFUSED' }));
  t.equal(down.verdict, 'COULD_NOT_MEASURE');
  t.match(down.detail, /ECONNREFUSED/);
});
