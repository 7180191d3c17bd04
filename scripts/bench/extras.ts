import os from 'node:os';
import path from 'node:path';
import { labConfig } from '../../lab/lab-config';
import { measureProbeCost } from './probe-cost';
import type { Check } from './results-merge';
import { benchRollouts, labTarget, type RolloutBench } from './rollout';
import { table } from '../lib/output';

export interface SectionCheck {
  section: 'probe' | 'rollout';
  check: Check;
}


/** The bench's lab sections (issue 7 items 6 and 7): the probe cost and the rollout phase times. */
export async function extraSections(
  args: { probe: boolean; probeSamples: number; rollout: boolean },
  log: (line: string) => void,
): Promise<{ results: Record<string, unknown>; checks: SectionCheck[]; text: string }> {
  const results: Record<string, unknown> = {};
  const checks: SectionCheck[] = [];
  const text: string[] = [];
  const lab = labConfig();

  if (args.probe) {
    log(`probe: ${args.probeSamples} monitor samples of lab slot ${lab.slot} (four instances, the database, its CPU)`);
    const p = await measureProbeCost(args.probeSamples, lab);
    results.probe = { ...p, measured_at: new Date().toISOString(), loadavg: os.loadavg() };
    checks.push({
      section: 'probe',
      check: {
        name: 'probe: one monitor sample (median)',
        value: `${p.median_ms} ms (p90 ${p.p90_ms}, first ${p.first_ms}; load avg ${os.loadavg()[0]!.toFixed(1)})`,
        target: '<= 50 ms',
        pass: p.median_ms <= 50,
      },
    });
    checks.push({
      section: 'probe',
      check: {
        name: 'probe: DB connections per sample',
        value: `${p.db_connections_per_sample} opened per timed sample, ${p.db_connections_run} in the whole run of ${p.samples + 1} (server sessions +${p.server_sessions_per_sample}/sample), HTTP ${p.http_connections_per_sample}`,
        target: '<= 1',
        pass: p.db_connections_per_sample <= 1 && p.db_connections_run <= 1,
      },
    });
  }

  if (args.rollout) {
    const runs = await benchRollouts(
      labTarget(lab),
      ['sighup', 'restart', 'rollback'] as const,
      path.join(os.tmpdir(), `poolgate-bench-rollout-${lab.slot}`),
      log,
    );
    results.rollout = { ...runs, measured_at: new Date().toISOString(), loadavg: os.loadavg() };
    const path_ = (name: 'sighup' | 'restart', limit: number): void => {
      const r: RolloutBench = runs[name];
      const tm = r.timing;
      const v = tm?.excluding_all_configured_s;
      const shown =
        tm === undefined
          ? `not timed: exit ${r.code}, ${r.error ?? ''}`
          : `${v} s; ${tm.excluding_configured_s} s counting the ${tm.sample_windows_s} s of sample windows (total ${tm.total_s} s, exit ${r.code})`;
      checks.push({
        section: 'rollout',
        check: {
          name: `rollout by ${name} (excl. configured durations)`,
          value: shown,
          target: `<= ${limit} s`,
          pass: r.code === 0 && v !== undefined && v <= limit,
        },
      });
    };
    path_('sighup', 30);
    path_('restart', 60);
    const rb = runs.rollback.rollback;
    checks.push({
      section: 'rollout',
      check: {
        name: 'rollback: trigger to rollback verified',
        value: rb
          ? `${rb.trigger_to_verified_s} s (detected ${rb.detected_s} s, rollback ${rb.rollback_s} s, playbook end ${rb.trigger_to_end_s} s)`
          : `not timed: ${runs.rollback.error ?? ''}`,
        target: '<= 60 s',
        pass: rb !== undefined && rb.trigger_to_verified_s <= 60,
      },
    });
    const names = runs.sighup.timing?.phases.map((p) => p.name) ?? runs.restart.timing?.phases.map((p) => p.name) ?? [];
    const at = (r: RolloutBench, i: number): string => (r.timing ? String(r.timing.phases[i]!.seconds) : '-');
    text.push(
      table([
        ['rollout phase (s)', 'sighup', 'restart'],
        ...names.map((n, i) => [n, at(runs.sighup, i), at(runs.restart, i)]),
      ]),
      '',
    );
    const slow = runs.sighup.slowest_tasks.slice(0, 8);
    if (slow.length)
      text.push(
        table([['slowest tasks (sighup run)', 's'], ...slow.map((s) => [s.task.slice(0, 90), String(s.seconds)])]),
        '',
      );
  }

  if (args.probe) {
    const p = results.probe as Awaited<ReturnType<typeof measureProbeCost>>;
    text.unshift(
      table([
        ['probe (one monitor sample)', 'value'],
        ['median ms', String(p.median_ms)],
        ['p90 ms', String(p.p90_ms)],
        ['first (cold) ms', String(p.first_ms)],
        ['DB connections / sample', String(p.db_connections_per_sample)],
        ['DB connections / run', String(p.db_connections_run)],
        ['HTTP connections / sample', String(p.http_connections_per_sample)],
      ]),
      '',
    );
  }
  return { results, checks, text: text.join('\n') };
}
