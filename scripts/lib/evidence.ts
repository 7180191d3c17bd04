import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { InputError } from './errors';
import { assertValid } from './schema';
import { AFTER_SEAL, EVIDENCE } from './run-evidence/files';

/**
 * A run's evidence folder. Every file goes in atomically; JSON files are validated against their schema
 * before they are written (an evidence file that does not match its schema is a bug, not evidence).
 */
export class EvidenceDir {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.accessSync(this.dir, fs.constants.W_OK);
    } catch (err) {
      throw new InputError(`evidence folder ${this.dir} is not writable: ${(err as Error).message}`, 'E_EVIDENCE_DIR', {
        cause: err,
      });
    }
  }

  /** Validate `value` against `schemas/<schema>.schema.json` and write it as pretty JSON. Returns the path. */
  writeJson(relative: string, schema: string, value: unknown): string {
    assertValid(schema, value, `evidence file ${relative}`);
    return this.writeText(relative, `${JSON.stringify(value, null, 2)}\n`);
  }

  writeText(relative: string, text: string): string {
    const file = this.resolve(relative);
    writeFileAtomic(file, text);
    return file;
  }

  /** Append one line (JSONL samples, alerts.log, rollback_log.txt): appends are never rewritten. */
  appendLine(relative: string, line: string): string {
    const file = this.resolve(relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, line.endsWith('\n') ? line : `${line}\n`);
    return file;
  }

  resolve(relative: string): string {
    const file = path.resolve(this.dir, relative);
    if (!file.startsWith(this.dir + path.sep)) throw new InputError(`evidence path ${relative} escapes ${this.dir}`);
    return file;
  }
}

export const MANIFEST = EVIDENCE.manifest.name();
const AFTER_SEAL_FILES = new Set(AFTER_SEAL.map((k) => EVIDENCE[k].name(new Date())));

/** Every file under `dir` (relative, sorted) the manifest covers: all but the seal's own files. */
export function listEvidenceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && !AFTER_SEAL_FILES.has(child) && !entry.name.endsWith('.tmp')) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** `sha256sum`-compatible manifest (so `sha256sum -c manifest.sha256` works too). */
export function writeManifest(dir: string): string {
  const lines = listEvidenceFiles(dir).map((f) => `${sha256File(path.join(dir, f))}  ${f}`);
  const file = path.join(dir, MANIFEST);
  writeFileAtomic(file, lines.length ? `${lines.join('\n')}\n` : '');
  return file;
}
