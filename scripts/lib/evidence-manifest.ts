import fs from 'node:fs';
import path from 'node:path';
import { InputError } from './errors';
import { listEvidenceFiles, MANIFEST, sha256File } from './evidence';

export interface ManifestCheck {
  ok: boolean;
  manifest: string;
  checked: number;
  changed: string[];
  missing: string[];
  added: string[];
}

/** Parse a `sha256sum` manifest ("<64 hex>  <relative path>" per line). A malformed line is bad input. */
export function parseManifest(text: string, where = MANIFEST): Map<string, string> {
  const entries = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m)
      throw new InputError(`${where} line ${i + 1} is not "<sha256>  <file>": ${line.slice(0, 80)}`, 'E_MANIFEST');
    entries.set(m[2]!, m[1]!);
  });
  return entries;
}

/**
 * Compare an evidence folder with its manifest: files whose content changed, files the manifest lists that are
 * gone, and files present that it does not list (added after sealing). Any of these means the evidence is not
 * what was sealed.
 */
export function checkManifest(dir: string): ManifestCheck {
  const manifest = path.join(dir, MANIFEST);
  let text: string;
  try {
    text = fs.readFileSync(manifest, 'utf8');
  } catch (err) {
    throw new InputError(
      `no ${MANIFEST} in ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}): seal it first with poolgate evidence seal`,
      'E_NO_MANIFEST',
    );
  }
  const expected = parseManifest(text, manifest);
  const present = new Set(listEvidenceFiles(dir));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [file, hash] of expected) {
    if (!present.has(file)) missing.push(file);
    else if (sha256File(path.join(dir, file)) !== hash) changed.push(file);
  }
  const added = [...present].filter((f) => !expected.has(f));
  return {
    ok: changed.length + missing.length + added.length === 0,
    manifest,
    checked: expected.size,
    changed: changed.sort(),
    missing: missing.sort(),
    added: added.sort(),
  };
}
