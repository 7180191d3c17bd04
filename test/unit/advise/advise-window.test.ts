import t from 'tap';
import {
  adviseFromPairs,
  adviseFromSnapshot,
  adviseFromWindow,
  type AdviseOptions,
} from '../../../scripts/lib/advise/advise';
import { adviceAsChecklistItem, adviceChecklistItem } from '../../../scripts/lib/advise/checklist-item';
import { readSlotLimits, usableFromLimits, type Queryable } from '../../../scripts/lib/advise/db-facts';
import { DEFAULT_PARAMETERS } from '../../../scripts/lib/advise/parameters';
import { MeasureError } from '../../../scripts/lib/errors';
import { isValid } from '../../../scripts/lib/schema';
import type { ServiceMetrics } from '../../../scripts/types/service-metrics';
import { metrics } from './fake-metrics';

const targets = [
  { name: 'primary-1', url: 'http://p1' },
  { name: 'standby-1', url: 'http://s1' },
];

/** primary-1 serves 200 acquisitions/s held 15 ms (one sample per 10 s of uptime); standby-1 is idle. */
function fakeFleet(): { fetcher: (url: string) => Promise<ServiceMetrics>; calls: string[] } {
  const calls: string[] = [];
  const tick: Record<string, number> = {};
  return {
    calls,
    fetcher: async (url) => {
      calls.push(url);
      const k = (tick[url] = (tick[url] ?? -1) + 1);
      if (url === 'http://p1')
        return metrics({ uptime_s: 100 + 10 * k, acquires: 2000 * k, hold_ms_sum: 30000 * k, active: k === 1 ? 5 : 1 });
      return metrics({ uptime_s: 100 + 10 * k, acquires: 7, hold_ms_sum: 70 });
    },
  };
}

const fakeProbe: AdviseOptions['db']['probe'] = async (_db, fn) =>
  fn({
    query: async () => ({
      rows: [
        { max_connections: 100, superuser_reserved: 3, reserved: 0, role_conn_limit: -1, database_conn_limit: null },
      ],
    }),
  } as Queryable);

function options(fetcher: AdviseOptions['fetcher'], over: Partial<AdviseOptions> = {}): AdviseOptions {
  return {
    params: DEFAULT_PARAMETERS,
    db: {
      cores: 2,
      spindles: 1,
      database: { host: '127.0.0.1', port: 5432, database: 'ledger', user: 'mon' },
      probe: fakeProbe,
    },
    fetcher,
    sleep: async () => undefined,
    planned: { max: 200, source: 'plan' },
    ...over,
  };
}

t.test('a live window: 4 samples per instance, rates from first and last, peak from the middle', async (t) => {
  const fleet = fakeFleet();
  const slept: number[] = [];
  const a = await adviseFromWindow(
    targets,
    { windowS: 30, samples: 4 },
    options(fleet.fetcher, { sleep: async (ms) => void slept.push(ms) }),
  );
  t.ok(isValid('advice', a));
  t.equal(fleet.calls.length, 8);
  t.same(slept, [10000, 10000, 10000], 'evenly spread over the window');
  const p1 = a.instances[0];
  t.equal(p1.arrival_rate_per_s, 200);
  t.equal(p1.mean_hold_ms, 15);
  t.equal(p1.peak_active, 5);
  t.equal(a.instances[1].status, 'idle');
  t.equal(a.fleet.serving, 1);
  t.equal(a.database.usable_slots, 97, '100 - 3 superuser-reserved');
  t.equal(a.database.slots_source, 'probe');
  t.equal(a.database.concurrency_budget, 5);
  t.equal(a.recommended.max, 7, 'want 9 trimmed by the budget 5 to the floor 5 + 2');
  t.ok(a.findings.some((f) => f.code === 'PLANNED_FAR_ABOVE_NEED'));
  t.ok(
    a.findings.some((f) => f.code === 'PLANNED_ABOVE_SLOTS'),
    '2 x 200 + 200 > 97',
  );
  t.equal(a.severity, 'critical');
});

t.test('an instance that does not answer makes it "could not measure"', async (t) => {
  const failing = async (url: string): Promise<ServiceMetrics> => {
    if (url === 'http://s1') throw new MeasureError('GET http://s1/api/health/metrics failed: ECONNREFUSED');
    return metrics({ uptime_s: 1, acquires: 0, hold_ms_sum: 0 });
  };
  await t.rejects(adviseFromWindow(targets, { windowS: 1, samples: 2 }, options(failing)), {
    code: 'E_ADVISE_SAMPLE',
    message: /standby-1.*ECONNREFUSED/,
  });
});

t.test('a snapshot is the first sample and one taken now the last', async (t) => {
  const snapshot = {
    command: 'snapshot',
    run: {
      run_id: 'r1',
      poolgate_version: '0.1.0',
      started_at: '2026-02-01T02:00:00Z',
      finished_at: '2026-02-01T02:00:01Z',
      operator: 'ops',
    },
    timestamp: '2026-02-01T02:00:00Z',
    operator: 'ops',
    git: { repo: '.', commit: null, dirty: null, error: null },
    instances: [
      {
        name: 'primary-1',
        url: 'http://p1',
        error: null,
        pool_config: null,
        metrics: metrics({ uptime_s: 40, acquires: 0, hold_ms_sum: 0 }),
        summary: null,
      },
    ],
    database: null,
    logs: [],
    complete: true,
    exit_code: 0,
  };
  const now = async (): Promise<ServiceMetrics> => metrics({ uptime_s: 100, acquires: 12000, hold_ms_sum: 180000 });
  t.ok(isValid('snapshot', snapshot), 'the fixture follows schemas/snapshot.schema.json');
  const a = await adviseFromSnapshot(snapshot, 'snap.json', options(now, { planned: null, db: { spindles: 1 } }));
  t.equal(a.source.kind, 'snapshot');
  t.equal(a.source.window_s, 60);
  t.equal(a.instances[0].arrival_rate_per_s, 200);
  t.equal(a.instances[0].busy_avg, 3);
  const bad = { ...snapshot, instances: [{ ...snapshot.instances[0]!, metrics: null, error: 'timeout' }] };
  await t.rejects(adviseFromSnapshot(bad, 'snap.json', options(now)), { code: 'E_ADVISE_SNAPSHOT' });
  await t.rejects(adviseFromSnapshot({ nope: 1 }, 'x.json', options(now)), { code: 'E_SCHEMA' });
});

t.test('usable slots honour the role and database limits', async (t) => {
  t.equal(
    usableFromLimits({
      max_connections: 100,
      superuser_reserved: 3,
      reserved: 5,
      role_conn_limit: -1,
      database_conn_limit: null,
    }),
    92,
  );
  t.equal(
    usableFromLimits({
      max_connections: 100,
      superuser_reserved: 3,
      reserved: 0,
      role_conn_limit: 40,
      database_conn_limit: 60,
    }),
    40,
  );
  const weird: Queryable = { query: async () => ({ rows: [{ max_connections: '100' }] }) } as unknown as Queryable;
  await t.rejects(readSlotLimits(weird, null), { code: 'E_ADVISE_PROBE_SHAPE' });
});

t.test('as a preflight checklist row: WARN, never a silent pass, FAIL only when asked', async (t) => {
  const a = await adviseFromWindow(
    targets,
    { windowS: 30, samples: 2 },
    options(fakeFleet().fetcher, { planned: { max: 200, source: 'plan' }, db: { cores: 2, spindles: 1 } }),
  );
  t.equal(a.severity, 'warning');
  const row = adviceAsChecklistItem(a);
  t.equal(row.verdict, 'WARN');
  t.equal(row.id, 'pool-size-advice');
  t.match(row.measured, /recommended max \d+ \/ min \d+ .*planned 200/);
  t.match(row.detail, /PLANNED_FAR_ABOVE_NEED/);
  t.equal(adviceAsChecklistItem(a, 'critical').verdict, 'WARN');
  t.equal(adviceAsChecklistItem(a, 'warning').verdict, 'FAIL');
  const fine = await adviseFromWindow(
    targets,
    { windowS: 30, samples: 2 },
    options(fakeFleet().fetcher, { planned: null, db: { spindles: 1 } }),
  );
  t.equal(adviceAsChecklistItem(fine).verdict, 'PASS');
});

t.test(
  "preflight's own two samples per instance are enough, and a missing one is a WARN row, not a block",
  async (t) => {
    const pairs = [
      {
        name: 'primary-1',
        url: 'http://p1',
        first: metrics({ uptime_s: 10, acquires: 0, hold_ms_sum: 0 }),
        second: metrics({ uptime_s: 40, acquires: 6000, hold_ms_sum: 90000, active: 2 }),
      },
    ];
    const opts = {
      params: DEFAULT_PARAMETERS,
      db: { spindles: 1, usableSlots: 97 },
      planned: { max: 200, source: 'plan' as const },
    };
    const { item, advice } = await adviceChecklistItem(() => adviseFromPairs(pairs, opts));
    t.equal(advice?.instances[0].busy_avg, 3);
    t.equal(advice?.recommended.max, 9);
    t.equal(item.verdict, 'WARN');
    const broken = await adviceChecklistItem(() =>
      adviseFromPairs([{ ...pairs[0]!, second: null, error: 'ECONNREFUSED' }], opts),
    );
    t.equal(broken.advice, null);
    t.equal(broken.item.verdict, 'WARN');
    t.match(broken.item.detail, /could not advise \(E_ADVISE_SAMPLE\).*primary-1 \(ECONNREFUSED\)/);
    await t.rejects(
      adviceChecklistItem(() => Promise.reject(new TypeError('a bug'))),
      TypeError,
      'bugs are not hidden as advice',
    );
  },
);
