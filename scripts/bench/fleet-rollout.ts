import os from 'node:os';
import path from 'node:path';
import { fleetP0File, restoreFleetBaseline } from '../../lab/fleet/baseline';
import { fleetConfig, hostsOf } from '../../lab/fleet/fleet-config';
import { collectFleetStatus } from '../../lab/fleet/status';
import { MeasureError } from '../lib/errors';
import { packageRoot } from '../lib/paths';
import { runChild } from './child';
import type { Check } from './results-merge';
import { benchRollouts, type RolloutBench, type RolloutTarget } from './rollout';

/**
 * The production path's cost (issue 14): the same rollout as the lab's rollout section — lab-sized durations, light
 * traffic, by SIGHUP and by restart — on the fleet (inventory/fleet: every host over SSH, HAProxy on lb-1, DB CPU
 * and journals read on their hosts), timed the same way (every configured observation window excluded) and set
 * beside the lab's as a ratio. Target: the fleet's SIGHUP rollout within 1.5x the lab's. The fleet of the slot is
 * used as it is when up; otherwise brought up (image cached after the first time) and down again at the end.
 */
export const FLEET_RATIO_TARGET = 1.5;

export interface LabRolloutFigures {
  sighup?: number;
  restart?: number;
  measured_at?: string;
}

type Kind = 'sighup' | 'restart';

export async function benchFleetRollouts(
  slot: number,
  lab: LabRolloutFigures,
  log: (line: string) => void,
): Promise<{ results: Record<string, unknown>; checks: Check[]; text: string }> {
  // The reference service, whatever the shell says: the figures compare it with the loopback lab's.
  const env = { ...process.env, POOLGATE_FLEET_SLOT: String(slot), POOLGATE_FLEET_SERVICE: '' };
  const cfg = fleetConfig(env);
  const script = (name: string): string => path.join(packageRoot, 'dist', 'lab', 'fleet', `${name}.js`);
  const startedHere = !(await collectFleetStatus(cfg)).healthy;
  if (startedHere) {
    log(`fleet rollout: bringing up fleet slot ${slot}`);
    const up = await runChild(process.execPath, [script('fleet-up')], { cwd: packageRoot, env, timeoutMs: 1_200_000 });
    if (up.code !== 0) throw new MeasureError(`fleet-up of slot ${slot} exited ${up.code}: ${up.stderr.trim().slice(-800)}`);
  }
  const target: RolloutTarget = {
    label: `fleet slot ${slot}`,
    inventory: 'inventory/fleet',
    env: {
      POOLGATE_FLEET_SLOT: String(slot),
      ANSIBLE_VAULT_PASSWORD_FILE: cfg.secrets.vaultPasswordFile,
      POOLGATE_OPERATOR: process.env.POOLGATE_OPERATOR ?? 'bench',
    },
    lbUrl: cfg.haproxy.url,
    primaries: hostsOf(cfg, 'primary').map((h) => h.name),
    sources: {
      scenario: cfg.service.scenario,
      db_cpu: { host: hostsOf(cfg, 'db_primary')[0]!.name, pid_file: path.join(cfg.pg.dataDir, 'postmaster.pid') },
      p0: { file: fleetP0File(cfg) },
    },
    restoreBaseline: () => restoreFleetBaseline(cfg),
  };
  let runs: Record<Kind, RolloutBench>;
  try {
    runs = await benchRollouts(
      target,
      ['sighup', 'restart'] as const,
      path.join(os.tmpdir(), `poolgate-bench-fleet-rollout-${slot}`),
      log,
    );
  } finally {
    if (startedHere && process.env.POOLGATE_FLEET_KEEP !== '1')
      await runChild(process.execPath, [script('fleet-down')], { cwd: packageRoot, env, timeoutMs: 300_000 });
  }
  const ratio = (kind: Kind): number | null => {
    const f = runs[kind].timing?.excluding_all_configured_s;
    const l = lab[kind];
    return f !== undefined && l !== undefined && l > 0 ? Math.round((f / l) * 100) / 100 : null;
  };
  const row = (kind: Kind): string => {
    const t = runs[kind].timing;
    return t === undefined
      ? `not timed: exit ${runs[kind].code}, ${runs[kind].error ?? ''}`
      : `${t.excluding_all_configured_s} s (lab ${lab[kind] ?? '?'} s): ${ratio(kind) ?? '?'}x; ` +
          `${t.excluding_configured_s} s counting the sample windows (exit ${runs[kind].code})`;
  };
  const sighupRatio = ratio('sighup');
  const checks: Check[] = [
    {
      name: 'fleet rollout by sighup vs the lab (excl. configured durations)',
      value: row('sighup'),
      target: `<= ${FLEET_RATIO_TARGET}x the lab's`,
      pass: runs.sighup.code === 0 && sighupRatio !== null && sighupRatio <= FLEET_RATIO_TARGET,
    },
    {
      name: 'fleet rollout by restart vs the lab (excl. configured durations)',
      value: row('restart'),
      target: 'reported',
      pass: runs.restart.code === 0 && runs.restart.timing !== undefined,
    },
  ];
  const phases = runs.sighup.timing?.phases.map((p) => p.name) ?? [];
  const at = (r: RolloutBench, i: number): string => (r.timing ? String(r.timing.phases[i]!.seconds) : '-');
  const text = [
    ['fleet rollout phase (s)', 'sighup', 'restart'],
    ...phases.map((n, i) => [n, at(runs.sighup, i), at(runs.restart, i)]),
  ]
    .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(48) : c.padStart(8))).join(''))
    .join('\n');
  return {
    results: {
      fleet_rollout: {
        slot,
        ...runs,
        lab,
        ratio: { sighup: sighupRatio, restart: ratio('restart') },
        measured_at: new Date().toISOString(),
        loadavg: os.loadavg(),
      },
    },
    checks,
    text: `${text}\n`,
  };
}
