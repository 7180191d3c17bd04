import t from 'tap';
import { buildAdvice } from '../../../scripts/lib/advise/build-advice';
import { DEFAULT_PARAMETERS } from '../../../scripts/lib/advise/parameters';
import { measureInstance } from '../../../scripts/lib/advise/rates';
import { renderAdvice } from '../../../scripts/lib/advise/render';
import { window30 } from './fake-metrics';

const db = {
  cores: 8,
  cores_source: 'given' as const,
  spindles: 1,
  concurrency_budget: 17,
  max_connections: null,
  superuser_reserved: null,
  reserved: null,
  role_conn_limit: null,
  database_conn_limit: null,
  usable_slots: 97,
  slots_source: 'given' as const,
};

t.test('human output: verdict first, an aligned table, the arithmetic, the findings', async (t) => {
  const advice = buildAdvice({
    instances: [
      measureInstance({ name: 'primary-1', url: 'http://p1' }, window30(200, 15, 4), 0.95),
      measureInstance({ name: 'standby-1', url: 'http://s1' }, window30(0, 0), 0.95),
    ],
    source: { kind: 'window', window_s: 30, samples: 2 },
    db,
    params: DEFAULT_PARAMETERS,
    planned: { max: 200, source: 'flag' },
  });
  const text = renderAdvice(advice);
  const lines = text.split('\n');
  t.equal(
    lines[0],
    'advise: CRITICAL — recommended pool max 9, min 3 per instance (measured); planned max 200 (22.2x)',
  );
  const header = lines.find((l) => l.startsWith('instance'))!;
  const row = lines.find((l) => l.startsWith('primary-1'))!;
  t.equal(row.indexOf('measured'), header.indexOf('status'), 'columns line up');
  t.match(text, /concurrency budget\s+17 \(2 x 8 cores \+ 1 effective spindle\)/);
  t.match(text, /\n {2}- primary-1: 6000 acquisitions in 30 s = 200\/s/);
  t.match(text, /CRITICAL PLANNED_ABOVE_SLOTS: /);
});
