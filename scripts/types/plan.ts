/* Generated from schemas/plan.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { DatabaseTarget } from './database';
import type { HostConnection } from './host-connection';
import type { LoadtestConfig } from './loadtest-config';
import type { LoadtestCriteria } from './loadtest-criteria';
import type { MonitorConfig } from './monitor-config';
import type { PoolChange } from './pool-change';
import type { PreflightConfig } from './preflight-config';
import type { RollbackConfig } from './rollback-config';
import type { Stakeholders } from './stakeholders';
import type { Targets } from './targets';
import type { VerifyConfig } from './verify-config';

/**
 * Everything one pool change needs, in one file. Ansible renders it from the inventory's group_vars into the run's evidence folder (no secrets: only password file paths); every command takes it with --plan and reads the sections it needs, and flags override. Standalone users may write it by hand.
 */
export interface Plan {
  run_id?: string;
  operator?: string;
  change: PoolChange;
  targets: NonNullable<Targets['targets']>;
  /**
   * Every host of the inventory by its inventory name, with how poolgate reaches it (rendered from the inventory; no secrets). A target's log or journal is read on the host of the target's name; monitor.db_cpu.host names the database host.
   */
  hosts?: {
    [k: string]: HostConnection;
  };
  database?: DatabaseTarget;
  lb?: {
    /**
     * HAProxy admin socket path on the load balancer's host (the rollout's Ansible tasks open it there).
     */
    socket: string;
    backend: string;
    /**
     * Where client traffic enters (the load balancer's frontend).
     */
    url?: string;
  };
  preflight?: PreflightConfig;
  verify?: VerifyConfig;
  loadtest?: LoadtestConfig;
  criteria?: LoadtestCriteria;
  monitor?: MonitorConfig;
  stakeholders?: Stakeholders;
  rollback?: RollbackConfig;
  /**
   * Where every command reads the instances' metrics (flags --metrics-source, --prometheus-url, --metrics-window override). json: GET /api/health/metrics (the default). scrape: GET /metrics, the Prometheus text format. prometheus: PromQL against a Prometheus server that scrapes the instances.
   */
  metrics_source?: {
    kind: 'json' | 'scrape' | 'prometheus';
    /**
     * The Prometheus server (kind prometheus; also the node exporter DB CPU source).
     */
    prometheus_url?: string;
    /**
     * Percentile window: rate(..._bucket[window]) for prometheus, the scrape memory for scrape (default 60, the service's own window).
     */
    window_s?: number;
    /**
     * The Prometheus label whose value is the target's name (default instance).
     */
    instance_label?: string;
  };
}
