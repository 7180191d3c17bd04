import fs from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import {
  commonOptions,
  readJsonFile,
  resolveCommon,
  type CommonArgs,
  type MetricsSourceArgs,
} from '../lib/command-inputs';
import { cpuSourceFor, type CpuSource } from '../lib/db-cpu';
import { NodeExporterCpuSource } from '../lib/db-cpu-node-exporter';
import { InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { evidenceFile } from '../lib/run-evidence/files';
import { alertLine, formatValue } from '../lib/judge/alerts';
import { formatDurationS, parseDurationS } from '../lib/duration';
import { resolveMonitorConfig, type OutagePolicy } from '../lib/judge/monitor-defaults';
import { dbConnectionsLine, type MonitorWindow } from '../lib/judge/monitor-summary';
import { DEFAULT_WINDOW_S } from '../lib/metrics-source/source';
import { abortableSleep, p0Checker, runMonitor, withMonitoringRun } from '../lib/monitor-run';
import { describeMissing, missingSources } from '../lib/monitor-sources';
import { printResult, progress, progressDone, table } from '../lib/output';
import type { HostRunner } from '../lib/ssh';
import { notMeasured, shownVerdict } from '../lib/verdict';
import { assertValid } from '../lib/schema';
import type { MonitorConfig } from '../types/monitor-config';
import type { MonitorResult } from '../types/monitor-result';

interface MonitorArgs extends CommonArgs, MetricsSourceArgs {
  config?: string;
  interval?: string;
  duration?: string;
  window?: string;
  sustained?: string;
  minSamples?: number;
  p0File?: string;
  p0Url?: string;
  dbCpuCommand?: string;
  dbCpuPidFile?: string;
  dbCpuSource?: 'node-exporter';
  dbCpuNodeJob: string;
  outage?: OutagePolicy;
  maxUnmeasured?: number;
  fleetP95?: 'max' | 'traffic_weighted';
  windowed: boolean;
}

export const SAMPLES_FILE = evidenceFile('monitor_samples');
export const ALERTS_FILE = evidenceFile('alerts');

const pct = (v: number | null | undefined): string => formatValue('error_rate', v);
const ms = (v: number | null | undefined): string => formatValue('p95_ms', v);

function windowLine(w: MonitorWindow): string {
  return (
    `window ${w.index} ${w.from.slice(11, 19)}–${w.to.slice(11, 19)} ${shownVerdict(w.verdict)}: ` +
    `p95 max ${ms(w.p95_ms_max)}, error rate ${pct(w.error_rate)}, utilisation max ${pct(w.pool_utilization_max)}, ` +
    `alerts ${w.alerts}, unmeasured ${w.unmeasured}/${w.samples}`
  );
}

function humanResult(r: MonitorResult, dir: string): string {
  const s = r.summary;
  const lines = [
    r.message,
    '',
    table([
      [
        'samples',
        `${r.samples.total} (unmeasured ${r.samples.unmeasured}, restarts dropped ${r.samples.dropped_intervals})`,
      ],
      ['requests', `${s.requests} (errors ${s.errors}, error rate ${pct(s.error_rate)})`],
      ['p95 (fleet)', `max ${ms(s.p95_ms.max)}, mean ${ms(s.p95_ms.mean)}`],
      ['pool utilisation', `max ${pct(s.pool_utilization.max)}, mean ${pct(s.pool_utilization.mean)}`],
      ['acquire wait p95', `max ${ms(s.acquire_wait_p95_ms.max)}`],
      ['acquire timeouts', String(s.acquire_timeouts)],
      ['DB CPU', s.db_cpu_pct.measured_samples ? `max ${formatValue('db_cpu_pct', s.db_cpu_pct.max)}` : notMeasured()],
      ['DB connections', dbConnectionsLine(s.db_connections)],
      ['alerts', `${r.alerts.warning} warning, ${r.alerts.critical} critical (${dir}/${ALERTS_FILE})`],
    ]),
  ];
  if (r.verdict === 'FAIL')
    lines.push('', `Roll back now: the trigger "${r.trigger?.name}" fired (runbook: IMMEDIATE ROLLBACK).`);
  if (r.verdict === 'COULD_NOT_MEASURE')
    lines.push('', 'Nothing was judged passed: restore monitoring (or decide by hand) before proceeding.');
  return lines.join('\n');
}

/** One DB CPU source at most: the command, the pid file, or the node exporter. */
function dbCpuSource(
  args: MonitorArgs,
  cfg: { command?: string; pid_file?: string; host?: string },
  runner: HostRunner,
  planPrometheus?: string,
): CpuSource | undefined {
  if (args.dbCpuSource !== 'node-exporter') return cpuSourceFor(cfg, runner);
  if (cfg.command || cfg.pid_file)
    throw new InputError('--db-cpu-source node-exporter excludes a DB CPU command or pid file: give one source');
  const prometheusUrl = args.prometheusUrl ?? planPrometheus;
  if (!prometheusUrl)
    throw new InputError(
      '--db-cpu-source node-exporter needs --prometheus-url (or plan.metrics_source.prometheus_url)',
    );
  const windowS =
    args.metricsWindow !== undefined ? parseDurationS(args.metricsWindow, '--metrics-window') : DEFAULT_WINDOW_S;
  return new NodeExporterCpuSource({
    prometheusUrl: prometheusUrl.replace(/\/+$/, ''),
    job: args.dbCpuNodeJob,
    windowS,
  });
}

export const monitorCommand: CommandModule<object, MonitorArgs> = {
  command: 'monitor',
  describe: 'Sustained monitoring (runbook Step 6): alert levels and rollback triggers with "sustained for" windows',
  builder: (y: Argv) =>
    commonOptions(y)
      .option('config', {
        type: 'string',
        describe: 'Monitor config JSON (schemas/monitor-config.schema.json); default plan.monitor, then the runbook',
      })
      .option('interval', { type: 'string', describe: 'Time between samples, e.g. 5m (runbook) or 1s (lab)' })
      .option('duration', { type: 'string', describe: 'How long to monitor, e.g. 60m' })
      .option('window', { type: 'string', describe: 'Reporting window for --windowed (default 5m)' })
      .option('windowed', {
        type: 'boolean',
        default: false,
        describe: "Print each window's verdict as it completes (stdout; stderr with --json)",
      })
      .option('sustained', {
        type: 'string',
        describe: 'Override every trigger\'s "sustained for" window, e.g. 3s in the lab',
      })
      .option('min-samples', {
        type: 'number',
        describe: "Override every trigger's minimum samples in a sustained run",
      })
      .option('p0-file', {
        type: 'string',
        describe: 'A P0 incident is open while this file exists: immediate rollback',
      })
      .option('p0-url', { type: 'string', describe: 'A URL answering {"p0": true} while a P0 incident is open' })
      .option('db-cpu-command', {
        type: 'string',
        describe: 'A command printing the database CPU percentage (0..100 of all cores)',
      })
      .option('db-cpu-pid-file', {
        type: 'string',
        describe:
          "postmaster.pid of the database: CPU from /proc, on this host (the plan's monitor.db_cpu.host reads it on the database host)",
      })
      .option('db-cpu-source', {
        choices: ['node-exporter'] as const,
        describe:
          "DB CPU from the database host's node exporter through Prometheus (--prometheus-url): " +
          '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",job=<--db-cpu-node-job>}[<--metrics-window>])))',
      })
      .option('db-cpu-node-job', {
        type: 'string',
        default: 'node',
        describe: "Prometheus job of the database host's node exporter",
      })
      .option('outage', {
        choices: ['fail', 'rollback', 'ignore_until'] as const,
        describe: 'What a monitoring outage does (default ignore_until)',
      })
      .option('max-unmeasured', {
        type: 'number',
        describe: 'Consecutive unmeasured samples tolerated by ignore_until/rollback (default 3)',
      })
      .option('fleet-p95', {
        choices: ['max', 'traffic_weighted'] as const,
        describe: 'Fleet p95: worst instance (default) or traffic-weighted',
      })
      .example(
        '$0 monitor --plan evidence/run1/plan.json --evidence-dir evidence/run1',
        'The runbook: every 5 min for 60 min',
      )
      .example(
        '$0 monitor --target p1=http://127.0.0.21:3000 --db-host 127.0.0.1 --db-port 54320 --db-name ledger --db-user poolgate_monitor --db-password-file pw --interval 1s --duration 30s --sustained 3s --db-cpu-pid-file lab/.run/0/pg/data/postmaster.pid --p0-file /tmp/P0 --windowed --window 10s',
        'Lab-sized windows; every trigger needs its source (DB, DB CPU, P0) or monitor refuses to start',
      )
      .example(
        '$0 monitor --plan plan.json --p0-file /run/incident/P0 --outage rollback --max-unmeasured 2 --json',
        'Roll back on P0 or on 2 unmeasured samples',
      )
      .example(
        '$0 monitor --plan plan.json --metrics-source prometheus --prometheus-url http://127.0.0.1:9090 --metrics-window 5m --db-cpu-source node-exporter',
        'Instance metrics and DB CPU from Prometheus',
      ) as unknown as Argv<MonitorArgs>,
  handler: async (args) => {
    const inputs = resolveCommon(args);
    const fileCfg = args.config
      ? assertValid<MonitorConfig>(
          'monitor-config',
          readJsonFile(args.config, 'monitor config'),
          `monitor config ${args.config}`,
        )
      : undefined;
    const cfg = resolveMonitorConfig(fileCfg ?? inputs.plan?.monitor ?? {}, {
      ...(args.interval !== undefined ? { interval_s: parseDurationS(args.interval, '--interval') } : {}),
      ...(args.duration !== undefined ? { duration_s: parseDurationS(args.duration, '--duration') } : {}),
      ...(args.window !== undefined ? { window_s: parseDurationS(args.window, '--window') } : {}),
      ...(args.sustained !== undefined
        ? { sustained_s: parseDurationS(args.sustained, '--sustained', { allowZero: true }) }
        : {}),
      ...(args.minSamples !== undefined ? { min_samples: args.minSamples } : {}),
      p0_file: args.p0File,
      p0_url: args.p0Url,
      db_cpu_command: args.dbCpuCommand,
      db_cpu_pid_file: args.dbCpuPidFile,
      outage: args.outage,
      max_consecutive_unmeasured: args.maxUnmeasured,
      fleet_p95: args.fleetP95,
      instances: inputs.targets.length,
    });
    const cpu = dbCpuSource(args, cfg.db_cpu, inputs.runner, inputs.plan?.metrics_source?.prometheus_url);
    const missing = missingSources(cfg, { database: inputs.database !== null, cpu: cpu !== undefined });
    if (missing.length > 0)
      throw new InputError(
        `monitor will not start without a source for everything it judges:\n  - ${missing.map(describeMissing).join('\n  - ')}`,
        'E_MONITOR_SOURCE',
      );
    const ev = new EvidenceDir(inputs.evidenceDir);
    // an empty alerts.log is a statement ("no alert"), a missing one is a question
    fs.appendFileSync(ev.resolve(ALERTS_FILE), '');
    const startedAt = new Date();
    const windowOut = args.json ? process.stderr : process.stdout;
    const started = Date.now();
    let alertsSoFar = 0;
    await withMonitoringRun(inputs, async (signal, probeDb) => {
      const result = await runMonitor(
        cfg,
        inputs.targets,
        {
          fetchMetrics: (t, timeoutMs) => inputs.fetchMetrics(t.url, timeoutMs),
          ...(probeDb ? { probeDb } : {}),
          ...(cpu ? { cpu } : {}),
          p0: p0Checker(cfg.p0),
          now: Date.now,
          sleep: abortableSleep,
          onSample: (sample, alerts) => {
            ev.appendLine(
              SAMPLES_FILE,
              JSON.stringify(assertValid('monitor-sample', sample, `monitor sample ${sample.seq}`)),
            );
            for (const a of alerts) ev.appendLine(ALERTS_FILE, alertLine(a));
            alertsSoFar += alerts.length;
            const elapsed = (Date.now() - started) / 1000;
            progress(
              `monitor ${formatDurationS(Math.round(elapsed))}/${formatDurationS(cfg.duration_s)} (${formatDurationS(Math.max(0, Math.round(cfg.duration_s - elapsed)))} left) · p95 ${ms(sample.fleet.p95_ms)} · ` +
                `errors ${pct(sample.fleet.error_rate)} · util ${pct(sample.fleet.pool_utilization)} · alerts ${alertsSoFar}` +
                (sample.unmeasured.length ? ` · UNMEASURED ${sample.unmeasured.join(',')}` : ''),
            );
          },
          ...(args.windowed ? { onWindow: (w: MonitorWindow) => windowOut.write(`${windowLine(w)}\n`) } : {}),
        },
        signal,
        inputs.database !== null,
      );
      progressDone();
      const full: MonitorResult = { ...result, files: { samples: SAMPLES_FILE, alerts: ALERTS_FILE } };
      const file = ev.writeJson(evidenceFile('monitor', startedAt), 'monitor-result', full);
      printResult(args, full, () => `${humanResult(full, ev.dir)}\nevidence: ${file}`);
      process.exitCode = full.exit_code;
    });
  },
};
