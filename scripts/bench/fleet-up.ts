import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listeningOn } from '../../lab/control/net';
import { fleetConfig } from '../../lab/fleet/fleet-config';
import { fleetMemory } from '../../lab/fleet/memory';
import { MeasureError } from '../lib/errors';
import { packageRoot } from '../lib/paths';
import { runChild, type ChildResult } from './child';
import type { Check } from './results-merge';

/**
 * The fleet lab's own costs (issue 14): fleet:up cold (the hosts' image built from nothing, then the machines made
 * and booted), fleet:down, fleet:up warm (image cached, machines made before and stopped), and the memory of a
 * running fleet. On a fleet of the bench's own: its slot's addresses must be free, and its state and image cache
 * live in fresh folders removed at the end, so no one's fleet or cached image is touched.
 */
export interface FleetUpBench {
  slot: number;
  cold_up_s: number;
  image_build_s: number | null;
  down_s: number;
  warm_up_s: number;
  /** a second down, from the warm fleet */
  warm_down_s: number;
  memory: { total_pss_mib: number; total_rss_mib: number; hosts: ReturnType<typeof fleetMemory> };
}

const seconds = (r: ChildResult): number => Math.round(r.elapsedMs / 100) / 10;

export async function benchFleetUp(
  slot: number,
  log: (line: string) => void,
): Promise<{ results: Record<string, unknown>; checks: Check[]; text: string }> {
  const net = `127.1.${slot}`;
  const busy = listeningOn(net);
  if (busy.length)
    throw new MeasureError(
      `fleet slot ${slot} is in use (${busy.slice(0, 3).join(', ')}): stop that fleet or pick --fleet-slot`,
    );
  const root = fs.mkdtempSync(path.join('/var/tmp', 'poolgate-bench-fleet-'));
  const env = {
    ...process.env,
    POOLGATE_FLEET_SLOT: String(slot),
    POOLGATE_FLEET_STATE_ROOT: path.join(root, 'state'),
    POOLGATE_FLEET_IMAGE_CACHE: path.join(root, 'image-cache'),
  };
  const step = async (name: 'fleet-up' | 'fleet-down', args: string[] = [], shielded = false): Promise<ChildResult> => {
    const r = await runChild(process.execPath, [path.join(packageRoot, 'dist', 'lab', 'fleet', `${name}.js`), ...args], {
      cwd: packageRoot,
      env,
      timeoutMs: 1_200_000,
      shielded,
    });
    if (r.code !== 0) throw new MeasureError(`${name} of bench fleet slot ${slot} exited ${r.code}: ${r.stderr.trim().slice(-800)}`);
    return r;
  };
  try {
    log(`fleet:up: cold (image built from nothing into ${env.POOLGATE_FLEET_IMAGE_CACHE}), fleet slot ${slot}`);
    const cold = await step('fleet-up');
    const built = /image built in ([\d.]+) s/.exec(cold.stderr);
    const down = await step('fleet-down');
    log('fleet:up: warm (image cached, machines stopped)');
    const warm = await step('fleet-up');
    const hosts = fleetMemory(fleetConfig(env));
    const warmDown = await step('fleet-down');
    const mib = (kib: number): number => Math.round(kib / 102.4) / 10;
    const bench: FleetUpBench = {
      slot,
      cold_up_s: seconds(cold),
      image_build_s: built ? Number(built[1]) : null,
      down_s: seconds(down),
      warm_up_s: seconds(warm),
      warm_down_s: seconds(warmDown),
      memory: {
        total_pss_mib: mib(hosts.reduce((a, h) => a + h.pss_kib, 0)),
        total_rss_mib: mib(hosts.reduce((a, h) => a + h.rss_kib, 0)),
        hosts,
      },
    };
    const checks: Check[] = [
      {
        name: 'fleet:up cold (image build included)',
        value: `${bench.cold_up_s} s (image build ${bench.image_build_s ?? '?'} s)`,
        target: 'reported',
        pass: true,
      },
      { name: 'fleet:up warm (image cached, machines stopped)', value: `${bench.warm_up_s} s`, target: 'reported', pass: true },
      {
        name: 'fleet:up then fleet:down',
        value: `${bench.down_s} s (${bench.warm_down_s} s from the warm fleet), nothing left`,
        target: 'reported',
        pass: true,
      },
      {
        name: 'fleet:up memory of the running fleet',
        value: `${bench.memory.total_pss_mib} MiB PSS (${bench.memory.total_rss_mib} MiB RSS) over ${hosts.length} hosts`,
        target: 'reported',
        pass: true,
      },
    ];
    const text = [
      'fleet host        processes  PSS MiB  RSS MiB',
      ...hosts.map(
        (h) =>
          `${h.host.padEnd(16)}  ${String(h.processes).padStart(9)}  ${String(mib(h.pss_kib)).padStart(7)}  ${String(mib(h.rss_kib)).padStart(7)}`,
      ),
      '',
    ].join('\n');
    return {
      results: { fleet_up: { ...bench, measured_at: new Date().toISOString(), loadavg: os.loadavg() } },
      checks,
      text,
    };
  } finally {
    // Whatever failed, nothing of the bench's fleet stays: its machines down, its state and image removed.
    await step('fleet-down', ['--purge'], true).catch((err: unknown) => log(`fleet:up: clean-up: ${String(err)}`));
    fs.rmSync(root, { recursive: true, force: true });
  }
}
