import path from 'node:path';
import { sha256File } from '../evidence';
import { EVIDENCE, newestOf, readEvidence, readLines, type Read } from '../run-evidence';
import type { ReportEvidence, ReportInput } from './verification-report';

/** The JSON files the report is built from, in the order its Evidence section lists them (each through its schema). */
const SOURCES = ['plan', 'preflight', 'snapshot', 'verify', 'loadtest', 'analysis', 'monitor'] as const;

/** A read evidence file as the report lists it: used, missing (with the names it was looked for under), invalid. */
function asInput(r: Read<unknown>): ReportInput {
  const kind = r.kind as ReportInput['kind'];
  if (r.status === 'missing') return { kind, file: null, status: 'missing', detail: `no ${EVIDENCE[r.kind].shown}` };
  if (r.status === 'invalid')
    return { kind, file: r.file, status: 'invalid', ...(r.sha256 ? { sha256: r.sha256 } : {}), detail: r.detail };
  return { kind, file: r.file, status: 'used', sha256: r.sha256 };
}

/** A JSON-lines file: used when it has lines and every one validates. */
function linesInput(dir: string, kind: 'monitor_samples' | 'events'): ReportInput {
  const r = readLines(dir, kind);
  if (r.file === null) return { kind, file: null, status: 'missing', detail: `no ${EVIDENCE[kind].shown}` };
  const sha256 = sha256File(path.join(dir, r.file));
  if (r.problems.length || r.values.length === 0)
    return { kind, file: r.file, status: 'invalid', sha256, detail: r.problems.slice(0, 3).join('; ') || 'empty' };
  return { kind, file: r.file, status: 'used', sha256 };
}

/** A text file that has no schema (the monitor's alerts.log: empty means "no alert"): used when present. */
function presentInput(dir: string, kind: 'alerts'): ReportInput {
  const file = newestOf(dir, kind);
  if (file === null) return { kind, file: null, status: 'missing', detail: `no ${EVIDENCE[kind].shown}` };
  return { kind, file, status: 'used', sha256: sha256File(path.join(dir, file)) };
}

/** A file as the report lists it: its name in the folder when it lies there, else its full path. */
function nameIn(dir: string, file: string): string {
  const rel = path.relative(dir, path.resolve(file));
  return rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(file) : rel;
}

/**
 * What the report is built from, read from a run's folder (scripts/lib/run-evidence): each document through its
 * schema, and every input as the report lists it. `planFile` stands in for the folder's plan.json.
 */
export function readReportEvidence(
  dir: string,
  planFile?: string,
): Pick<ReportEvidence, 'plan' | 'snapshot' | 'verify' | 'loadtest' | 'analysis' | 'monitor' | 'inputs'> {
  const got: Record<string, unknown> = {};
  const inputs: ReportInput[] = [];
  for (const kind of SOURCES) {
    const r = readEvidence(dir, kind, kind === 'plan' && planFile ? nameIn(dir, planFile) : undefined);
    got[kind] = r.status === 'used' ? r.value : null;
    inputs.push(asInput(r));
  }
  for (const kind of ['monitor_samples', 'events'] as const) inputs.push(linesInput(dir, kind));
  inputs.push(presentInput(dir, 'alerts'));
  return {
    ...(got as Pick<ReportEvidence, 'plan' | 'snapshot' | 'verify' | 'loadtest' | 'analysis' | 'monitor'>),
    inputs,
  };
}
