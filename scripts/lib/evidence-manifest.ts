import fs from 'node:fs';
import path from 'node:path';
import { InputError } from './errors';
import { listEvidenceFiles, MANIFEST, sha256File } from './evidence';
import { checkSignature } from './evidence-signature';
import { readLines } from './run-evidence';
import type { EvidenceCheck } from '../types/evidence-check';
import type { Notification } from '../types/notification';

export type ManifestCheck = Pick<EvidenceCheck, 'manifest' | 'checked' | 'changed' | 'missing' | 'added'> & {
  ok: boolean;
};

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

/** The `sealed` notifications sent after the seal: each must carry this manifest's digest. */
function afterSeal(dir: string, digest: string): string[] {
  const read = readLines<Notification>(dir, 'seal_notifications');
  const wrong = read.values
    .filter((n) => n.event !== 'sealed' || n.manifest_sha256 !== digest)
    .map((n) => `${read.file}: a ${n.event} notification of ${n.at} carries manifest ${n.manifest_sha256 ?? 'none'}`);
  return [...read.problems, ...wrong];
}

/**
 * The whole check of a sealed folder: its files against the manifest, the manifest's signature against the
 * allowed signers (when given: then an unsigned folder fails), and what was sent after the seal.
 */
export function checkEvidence(dir: string, allowedSigners?: string): EvidenceCheck {
  const files = checkManifest(dir);
  const digest = sha256File(files.manifest);
  const signature = checkSignature(dir, allowedSigners);
  const after = afterSeal(dir, digest);
  const problems = [
    ...files.changed.map((f) => `changed ${f}`),
    ...files.missing.map((f) => `missing ${f}`),
    ...files.added.map((f) => `added ${f}`),
    ...(signature.status === 'MISSING' || signature.status === 'INVALID'
      ? [`signature ${signature.status}: ${signature.detail}`]
      : []),
    ...after,
  ];
  const verdict = problems.length ? 'FAIL' : 'PASS';
  const signed =
    signature.status === 'VERIFIED'
      ? `signed by ${signature.signer}`
      : `signature ${signature.status}: ${signature.detail}`;
  return {
    ok: verdict === 'PASS',
    verdict,
    message:
      verdict === 'PASS'
        ? `PASS: ${files.checked} file(s) match ${files.manifest} (sha256 ${digest}); ${signed}`
        : `FAIL: the evidence is not what was sealed: ${problems.join('; ')}`,
    manifest: files.manifest,
    manifest_sha256: digest,
    checked: files.checked,
    changed: files.changed,
    missing: files.missing,
    added: files.added,
    signature,
    after_seal: after,
  };
}
