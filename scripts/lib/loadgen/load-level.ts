import fs from 'node:fs';
import { InputError, MeasureError } from '../errors';
import { assertValid } from '../schema';
import type { LoadtestResult } from '../../types/loadtest-result';
import type { Snapshot } from '../../types/snapshot';

/**
 * The load level: a load test's rate against the traffic the pre-change snapshot measured. One owner for the
 * loadtest (which derives its rate from it), analyze (which judges it) and the report (which states it).
 */
export type Baseline = NonNullable<LoadtestResult['load_level']['baseline']>;
export type LoadLevel = LoadtestResult['load_level'];

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The fleet's traffic in a snapshot: the sum of the instances whose rate was measured; null if none was. */
export function baselineOf(snapshot: Snapshot, file: string): Baseline | null {
  const instances = snapshot.instances.map((i) => ({
    name: i.name,
    requests_per_s: i.summary?.requests_per_s ?? null,
  }));
  const measured = instances.filter((i) => i.requests_per_s !== null);
  if (measured.length === 0) return null;
  return {
    file,
    taken_at: snapshot.timestamp,
    requests_per_s: round3(measured.reduce((n, i) => n + i.requests_per_s!, 0)),
    instances: instances.map((i) => ({
      ...i,
      requests_per_s: i.requests_per_s === null ? null : round3(i.requests_per_s),
    })),
  };
}

/** Reads `--baseline`: exit 2 when the file is not a snapshot, exit 3 when it measured no request rate. */
export function readBaseline(file: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read baseline snapshot ${file}: ${(err as Error).message}`, 'E_BASELINE_READ');
  }
  const snapshot = assertValid<Snapshot>('snapshot', raw, `baseline snapshot ${file}`);
  const baseline = baselineOf(snapshot, file);
  if (baseline === null) {
    const why = snapshot.instances.map((i) => `${i.name}: ${i.error ?? 'no request rate over the window'}`).join('; ');
    throw new MeasureError(
      `baseline snapshot ${file} measured no instance's request rate (${why}): the load level cannot be derived`,
      'E_BASELINE_UNMEASURED',
    );
  }
  return baseline;
}

/** The level a rate (the load test's achieved sends or throughput per second) reached against a baseline. */
export function loadLevelOf(baseline: Baseline | null, achievedPerS: number | null): LoadLevel {
  const ratio =
    baseline === null || achievedPerS === null || baseline.requests_per_s === 0
      ? null
      : round3(achievedPerS / baseline.requests_per_s);
  return { baseline, achieved_per_s: achievedPerS, ratio };
}

/** "120.4 req/s = 1.02 × the baseline's 118.0 req/s (pre-change snapshot <time>)", for people. */
export function describeLoadLevel(l: LoadLevel): string {
  const rate = l.achieved_per_s === null ? 'no rate measured' : `${l.achieved_per_s.toFixed(1)} req/s`;
  if (l.baseline === null) return `${rate}; not compared with a baseline (loadtest --baseline <pre_change_snapshot>)`;
  const base = `the baseline's ${l.baseline.requests_per_s.toFixed(1)} req/s (pre-change snapshot ${l.baseline.taken_at})`;
  if (l.ratio === null) return `${rate}; ${base}: no traffic to compare with`;
  return `${rate} = ${l.ratio.toFixed(2)} × ${base}`;
}
