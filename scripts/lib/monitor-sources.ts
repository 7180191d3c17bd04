import type { ResolvedMonitorConfig } from './judge/monitor-defaults';

/**
 * What the monitor needs measured, and where to configure each source. A trigger whose metric has no source can
 * never fire (db_cpu_sustained without a CPU source judges nothing) and a source that is configured but cannot be
 * read fails sample after sample: either way the run would find out an hour into the change. The monitor refuses
 * to start without every source (exit 2), and preflight refuses the run before any host is touched, naming what
 * to set — both from this one list.
 */
export interface MissingSource {
  /** the source: db_cpu, database, p0 */
  source: 'db_cpu' | 'database' | 'p0';
  /** which trigger needs it */
  needed_by: string;
  /** what to set, in the plan, the inventory and on the command line */
  set: string;
}

export interface AvailableSources {
  database: boolean;
  cpu: boolean;
}

const SET = {
  db_cpu:
    'plan monitor.db_cpu {host, pid_file} or {command} (inventory: pool_scaling_monitor.db_cpu; ' +
    'flags: --db-cpu-pid-file, --db-cpu-command or --db-cpu-source node-exporter)',
  database: 'plan database (inventory: pool_scaling_database; flags: --db-host, --db-port, --db-name, --db-user)',
  p0: 'plan monitor.p0.file or monitor.p0.url (inventory: pool_scaling_monitor.p0; flags: --p0-file, --p0-url)',
};

/** Every source the config's triggers (and the P0 rule, judged always) need and the run does not have (pure). */
export function missingSources(cfg: ResolvedMonitorConfig, have: AvailableSources): MissingSource[] {
  const out: MissingSource[] = [];
  for (const tr of cfg.triggers) {
    if (tr.metric === 'db_cpu_pct' && !have.cpu) out.push({ source: 'db_cpu', needed_by: tr.name, set: SET.db_cpu });
    if (tr.metric === 'new_backends_per_s' && !have.database)
      out.push({ source: 'database', needed_by: tr.name, set: SET.database });
  }
  if (!cfg.p0.file && !cfg.p0.url) out.push({ source: 'p0', needed_by: 'p0_incident', set: SET.p0 });
  return out;
}

export function describeMissing(m: MissingSource): string {
  const what = { db_cpu: 'no database CPU source', database: 'no database', p0: 'no P0 signal' }[m.source];
  return `${m.needed_by} needs ${m.source} but ${what} is configured: set ${m.set}`;
}

/** What the logs check of verify needs: a log file or a journal per instance. */
export const SET_LOGS =
  'plan targets[].journal (a systemd unit) or targets[].log (a file on the host) (inventory: pool_instance_journal_unit or pool_instance_log; flag: --log name=path)';
