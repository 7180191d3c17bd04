import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, MeasureError } from './errors';
import { EVIDENCE } from './run-evidence/files';

/**
 * A sealed folder is signed, not only hashed: anyone who edits a file can recompute manifest.sha256, but not sign it
 * with a key only the operator holds. OpenSSH signatures (`ssh-keygen -Y sign`, OpenSSH 8.0+) need nothing new on a
 * bastion: the operator's SSH key signs, an allowed-signers file (one line per trusted key:
 * `<principal> namespaces="poolgate-evidence" <public key>`) says whose signature counts.
 */
export const SIGNATURE_NAMESPACE = 'poolgate-evidence';

export type SignatureStatus = 'VERIFIED' | 'MISSING' | 'INVALID' | 'NOT_CHECKED';

export interface SignatureCheck {
  status: SignatureStatus;
  /** The principal of the allowed-signers file whose key made the signature. */
  signer: string | null;
  detail: string;
}

function sshKeygen(args: string[], input?: Buffer): { ok: boolean; out: string } {
  try {
    const out = execFileSync('ssh-keygen', args, {
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 30_000,
      encoding: 'utf8',
    });
    return { ok: true, out };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string; status?: number };
    if (e.code === 'ENOENT')
      throw new MeasureError('ssh-keygen is not installed (OpenSSH client): cannot sign or verify');
    return { ok: false, out: `${e.stderr ?? ''}${e.stdout ?? ''}`.trim() };
  }
}

function readable(file: string, what: string): string {
  const full = path.resolve(file);
  try {
    fs.accessSync(full, fs.constants.R_OK);
  } catch {
    throw new InputError(`${what} ${file} is not readable`);
  }
  return full;
}

/** The signing key, checked before anything is written: a seal that cannot be signed refuses, writing nothing. */
export const signingKey = (keyFile: string): string => readable(keyFile, '--sign-key');

/** Sign `<dir>/manifest.sha256` with the key `keyFile` (or its .pub, the key in ssh-agent): writes manifest.sha256.sig. */
export function signManifest(dir: string, keyFile: string): string {
  const key = signingKey(keyFile);
  const manifest = path.join(dir, EVIDENCE.manifest.name());
  const signature = path.join(dir, EVIDENCE.manifest_signature.name());
  fs.rmSync(signature, { force: true });
  const r = sshKeygen(['-Y', 'sign', '-f', key, '-n', SIGNATURE_NAMESPACE, manifest]);
  if (!r.ok || !fs.existsSync(signature))
    throw new InputError(`ssh-keygen could not sign ${manifest} with ${keyFile}: ${r.out || 'no signature written'}`);
  return signature;
}

/**
 * Check the manifest's signature against an allowed-signers file. Without one, the signature is NOT_CHECKED (the
 * hashes alone were checked); with one, a missing signature is MISSING and a bad or untrusted one INVALID: both fail.
 */
export function checkSignature(dir: string, allowedSigners?: string): SignatureCheck {
  const signature = path.join(dir, EVIDENCE.manifest_signature.name());
  const signed = fs.existsSync(signature);
  if (!allowedSigners)
    return {
      status: 'NOT_CHECKED',
      signer: null,
      detail: `${signed ? 'signed, but ' : 'unsigned, and '}no allowed-signers file given: only the hashes were checked`,
    };
  const allowed = readable(allowedSigners, '--allowed-signers');
  if (!signed)
    return {
      status: 'MISSING',
      signer: null,
      detail: `no ${EVIDENCE.manifest_signature.name()}: the folder is not signed, anyone could have rewritten its manifest`,
    };
  const found = sshKeygen(['-Y', 'find-principals', '-s', signature, '-f', allowed]);
  const principal = found.ok ? found.out.split('\n')[0]!.trim() : '';
  if (!principal)
    return {
      status: 'INVALID',
      signer: null,
      detail: `the signature's key is not in ${allowedSigners}${found.out ? ` (${found.out})` : ''}`,
    };
  const manifest = fs.readFileSync(path.join(dir, EVIDENCE.manifest.name()));
  const verified = sshKeygen(
    ['-Y', 'verify', '-f', allowed, '-I', principal, '-n', SIGNATURE_NAMESPACE, '-s', signature],
    manifest,
  );
  return verified.ok
    ? { status: 'VERIFIED', signer: principal, detail: verified.out.split('\n')[0]! }
    : { status: 'INVALID', signer: principal, detail: `the signature does not match the manifest: ${verified.out}` };
}
