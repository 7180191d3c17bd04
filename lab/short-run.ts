/**
 * Lab-sized durations for a whole rollout (a 5 s load test, 8 s of monitoring sampled every second, triggers that
 * sustain 3 s, a 12 s watch after a rollback), as the e2e tests, the fault suite and the bench run it on the loopback lab or the fleet. Extra vars
 * replace a whole dict, so the monitor section repeats every trigger and names its sources (the monitor refuses to
 * start without a source for each one): where the database's CPU is read and where a P0 is signalled; and the load
 * test names the scenario of the service it drives.
 */
export const SHORT_LOADTEST_S = 5;
export const SHORT_MONITOR_S = 8;

export interface MonitorSources {
  /** the load test's scenario file (writes allowed: the run's own test traffic) */
  scenario: string;
  /** the postmaster.pid, on the inventory's database host `host` */
  db_cpu: { host: string; pid_file: string };
  /** a P0 is open while this file exists */
  p0: { file: string };
}

export function shortRunVars(sources: MonitorSources): Record<string, unknown> {
  const trigger = (name: string, metric: string, scope: string, above: number) => ({
    name,
    metric,
    scope,
    above,
    sustained_s: 3,
    min_samples: 3,
  });
  return {
    // the rollback's watch (runbook rollback step 4), lab-sized like the monitor: 12 s, the first 4 s not judged,
    // with the lab inventory's p95 tolerance (extra vars replace the whole dict)
    pool_scaling_rollback: {
      max_s: 600,
      watch: { duration_s: 12, interval_s: 1, settle_s: 4, tolerance: { p95_ms: 100 } },
    },
    pool_scaling_loadtest: {
      scenario: sources.scenario,
      allow_writes: true,
      requests: 100,
      duration: `${SHORT_LOADTEST_S}s`,
      concurrency: 10,
    },
    pool_scaling_monitor: {
      interval_s: 1,
      duration_s: SHORT_MONITOR_S,
      window_s: 4,
      triggers: [
        trigger('error_rate_sustained', 'error_rate', 'fleet', 0.01),
        trigger('p95_latency_sustained', 'p95_ms', 'fleet', 1000),
        trigger('connection_thrashing', 'churn_per_s', 'each_instance', 5),
        trigger('db_connection_thrashing', 'new_backends_per_s', 'fleet', 20),
        trigger('db_cpu_sustained', 'db_cpu_pct', 'fleet', 90),
      ],
      db_cpu: sources.db_cpu,
      p0: sources.p0,
    },
  };
}
