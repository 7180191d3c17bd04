import t from 'tap';
import { addresseesOf, EVENT_ROLES, stakeholderItems } from '../../../scripts/lib/stakeholders';
import { describeNotification } from '../../../scripts/lib/incident-evidence';
import { renderIncident } from '../../../scripts/lib/incident';

t.test('a role with nobody named is a preflight WARN; named roles pass with their names', async (t) => {
  const items = stakeholderItems({ executive_operator: ['Dana Reyes', '#exec-ops'], on_call: [] });
  t.same(
    items.map((i) => [i.id, i.verdict, i.measured]),
    [
      ['stakeholder:executive_operator', 'PASS', 'Dana Reyes, #exec-ops'],
      ['stakeholder:product_lead', 'WARN', 'nobody named'],
      ['stakeholder:on_call', 'WARN', 'nobody named'],
    ],
  );
  t.match(items[1]!.detail, /pool_scaling_stakeholders\.product_lead/);
  t.same(
    stakeholderItems(undefined).map((i) => i.verdict),
    ['WARN', 'WARN', 'WARN'],
    'no stakeholders at all: three warnings',
  );
});

t.test("the runbook's NOTIFY roles hear the rollback; the on-call hears everything", async (t) => {
  for (const roles of Object.values(EVENT_ROLES)) t.ok(roles.includes('on_call'));
  t.same(EVENT_ROLES.rollback, ['executive_operator', 'product_lead', 'on_call']);
  t.same(addresseesOf('start', { on_call: ['Riya'] }), [{ role: 'on_call', label: 'On-call', who: ['Riya'] }]);
});

t.test('the incident names who was told, role by role', async (t) => {
  const line = describeNotification({
    event: 'rollback',
    at: '2026-02-01T02:40:00Z',
    ok: true,
    status: 200,
    target: 'https://hooks.example.test/…',
    run_id: 'r1',
    for: addresseesOf('rollback', { executive_operator: ['Dana Reyes'], on_call: ['#ledger-oncall'] }),
  });
  t.equal(
    line,
    'notified rollback for Executive Operator: Dana Reyes · Product Lead: nobody named · On-call: #ledger-oncall via webhook https://hooks.example.test/…: delivered (HTTP 200)',
  );
  const md = renderIncident(
    {
      reason: 'p95 regressed',
      trigger: 'p95_latency_sustained',
      severity: 'P1',
      decision: 'ROLLBACK',
      actions: [],
      notified: [],
      operator: 'op',
      now: new Date('2026-02-01T02:41:00Z'),
    },
    { timeline: [], figures: [], gateMessage: null, actions: [], outcome: null, notified: [] },
    {
      change: {
        from: {
          min: 10,
          max: 50,
          idleTimeoutMillis: 30000,
          connectionTimeoutMillis: 2000,
          acquireTimeoutMillis: 10000,
        },
        to: { min: 20, max: 200, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
      },
      targets: [{ name: 'a', url: 'http://127.0.0.1:1' }],
      stakeholders: { executive_operator: ['Dana Reyes'], product_lead: ['Sam Okafor'] },
    },
    [],
  );
  t.match(
    md,
    /6\. NOTIFY — the stakeholders: Executive Operator: Dana Reyes · Product Lead: Sam Okafor · On-call: nobody named; nobody recorded as notified yet/,
  );
});
