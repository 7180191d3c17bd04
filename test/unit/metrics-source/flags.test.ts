import t from 'tap';
import { InputError } from '../../../scripts/lib/errors';
import { resolveMetricsSource } from '../../../scripts/lib/metrics-source/flags';
import { isValid } from '../../../scripts/lib/schema';
import type { Plan } from '../../../scripts/types/plan';

const plan = (metrics_source?: Plan['metrics_source']): Plan =>
  ({
    change: {
      from: { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
      to: { min: 20, max: 200, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
    },
    targets: [{ name: 'primary-1', url: 'http://127.0.0.21:3000' }],
    ...(metrics_source ? { metrics_source } : {}),
  }) as Plan;

t.test('json by default; flags override the plan section', async (t) => {
  t.same(resolveMetricsSource({}, null), { kind: 'json' });
  t.same(resolveMetricsSource({ metricsSource: 'scrape', metricsWindow: '30s' }, null), {
    kind: 'scrape',
    window_s: 30,
  });
  const p = plan({ kind: 'prometheus', prometheus_url: 'http://prom:9090/', window_s: 20, instance_label: 'svc' });
  t.same(resolveMetricsSource({}, p), { kind: 'prometheus', url: 'http://prom:9090', window_s: 20, label: 'svc' });
  t.same(resolveMetricsSource({ prometheusUrl: 'http://other:9090', metricsWindow: '1m' }, p), {
    kind: 'prometheus',
    url: 'http://other:9090',
    window_s: 60,
    label: 'svc',
  });
  t.same(resolveMetricsSource({ metricsSource: 'json' }, p), { kind: 'json' }, 'the flag wins over the plan');
});

t.test('bad combinations are bad input', async (t) => {
  t.throws(() => resolveMetricsSource({ metricsSource: 'prometheus' }, null), InputError);
  t.throws(() => resolveMetricsSource({ metricsSource: 'prometheus' }, null), /needs --prometheus-url/);
  t.throws(
    () => resolveMetricsSource({ metricsSource: 'prometheus', prometheusUrl: 'prom:9090' }, null),
    /must be an http\(s\) URL/,
  );
  t.throws(
    () => resolveMetricsSource({ metricsSource: 'scrape', metricsWindow: '0s' }, null),
    /--metrics-window "0s" must be longer than zero/,
  );
  t.throws(() => resolveMetricsSource({ metricsWindow: 'soon' }, null), /--metrics-window "soon" needs a unit/);
});

t.test('the plan section is optional and validated by the plan schema', async (t) => {
  t.ok(isValid('plan', plan()));
  t.ok(isValid('plan', plan({ kind: 'scrape' })));
  t.notOk(isValid('plan', plan({ kind: 'graphite' } as never)));
  t.notOk(isValid('plan', plan({ kind: 'prometheus', prometheus_url: 'ftp://x' })));
});
