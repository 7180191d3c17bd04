import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EVIDENCE, filesOf, newestOf, type EvidenceKind, type EvidenceKindName } from './files';
import { problemsOf } from '../schema';

/**
 * One evidence file read through its schema: used (its value), missing, or invalid (unreadable, not JSON, or not
 * what its schema says — with why). An invalid file is never used, and never silently dropped either.
 */
export type Read<T> =
  | { kind: EvidenceKindName; file: string; status: 'used'; sha256: string; value: T }
  | { kind: EvidenceKindName; file: null; status: 'missing' }
  | { kind: EvidenceKindName; file: string; status: 'invalid'; sha256?: string; detail: string };

const sha256Of = (bytes: Buffer): string => crypto.createHash('sha256').update(bytes).digest('hex');

/** The newest file of a JSON kind (or `file`, when given), through the kind's schema. */
export function readEvidence<T>(dir: string, kind: EvidenceKindName, file?: string): Read<T> {
  const name = file ?? newestOf(dir, kind);
  if (!name) return { kind, file: null, status: 'missing' };
  const schema = (EVIDENCE[kind] as EvidenceKind).schema;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.resolve(dir, name));
  } catch (err) {
    return { kind, file: name, status: 'invalid', detail: `unreadable: ${(err as NodeJS.ErrnoException).code ?? err}` };
  }
  const sha256 = sha256Of(bytes);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { kind, file: name, status: 'invalid', sha256, detail: `not JSON: ${(err as Error).message}` };
  }
  const problems = schema ? problemsOf(schema, value) : [];
  if (problems.length)
    return {
      kind,
      file: name,
      status: 'invalid',
      sha256,
      detail: `does not match ${schema}.schema.json: ${problems.slice(0, 3).join('; ')}`,
    };
  return { kind, file: name, status: 'used', sha256, value: value as T };
}

/** The newest file of a kind when it is there and valid, else null: for a reader that shows only what is known. */
export function newestValid<T>(dir: string, kind: EvidenceKindName): { file: string; value: T } | null {
  const r = readEvidence<T>(dir, kind);
  return r.status === 'used' ? { file: r.file, value: r.value } : null;
}

/** A JSON-lines kind read line by line through its schema: the valid lines, and why each other line was left out. */
export interface Lines<T> {
  file: string | null;
  values: T[];
  problems: string[];
}

export function readLines<T>(dir: string, kind: EvidenceKindName, file?: string): Lines<T> {
  const name = file ?? newestOf(dir, kind);
  if (!name) return { file: null, values: [], problems: [] };
  const schema = (EVIDENCE[kind] as EvidenceKind).schema!;
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, name), 'utf8');
  } catch (err) {
    return { file: name, values: [], problems: [`${name}: unreadable (${(err as NodeJS.ErrnoException).code})`] };
  }
  const values: T[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      // a torn last line (a run killed mid-write) is not evidence
      problems.push(`${name} line ${i + 1}: not JSON`);
      return;
    }
    const bad = problemsOf(schema, v);
    if (bad.length) problems.push(`${name} line ${i + 1}: ${bad.slice(0, 2).join('; ')}`);
    else values.push(v as T);
  });
  return { file: name, values, problems };
}

/** A text kind's lines (alerts.log, rollback_log.txt); none when the file is missing. */
export function textLines(dir: string, kind: EvidenceKindName): string[] {
  const name = newestOf(dir, kind);
  if (!name) return [];
  try {
    return fs
      .readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .filter((l) => l.trim());
  } catch {
    return [];
  }
}

/**
 * Every schema problem in a run's folder: each file whose kind has a schema is read through it (every line of a
 * JSON-lines file). Empty: every such file validates.
 */
export function folderProblems(dir: string): string[] {
  const problems: string[] = [];
  for (const [kind, k] of Object.entries(EVIDENCE) as [EvidenceKindName, EvidenceKind][]) {
    if (!k.schema) continue;
    for (const file of filesOf(dir, kind)) {
      if (k.lines) problems.push(...readLines(dir, kind, file).problems);
      else {
        const r = readEvidence(dir, kind, file);
        if (r.status === 'invalid') problems.push(`${file}: ${r.detail}`);
      }
    }
  }
  return problems;
}
