import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The lab's generated passwords: created once, kept in a 0600 file, read by whoever needs them. They never
 * go through argv, and the server only ever sees a SCRAM verifier (see scramVerifier), so not even a logged
 * failing statement can reveal one.
 */
export function ensurePasswordFile(file: string): { password: string; created: boolean } {
  if (fs.existsSync(file)) return { password: readPasswordFile(file), created: false };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const password = crypto.randomBytes(24).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${password}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return { password, created: true };
}

/**
 * The lab operator's SSH key that signs sealed evidence (OpenSSH `ssh-keygen -Y sign`), made once, and the
 * allowed-signers file that trusts it for the poolgate-evidence namespace only. In production the operator's own key
 * and the team's allowed-signers file take their place (README "Signed evidence").
 */
export function ensureEvidenceSigningKey(
  s: { key: string; allowedSigners: string; principal: string },
  log: (line: string) => void,
): void {
  if (!fs.existsSync(s.key)) {
    fs.mkdirSync(path.dirname(s.key), { recursive: true, mode: 0o700 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', s.principal, '-f', s.key], { stdio: 'ignore' });
    log(`evidence: generated the lab's signing key ${s.key}`);
  }
  const line = `${s.principal} namespaces="poolgate-evidence" ${fs.readFileSync(`${s.key}.pub`, 'utf8').trim()}\n`;
  if (!fs.existsSync(s.allowedSigners) || fs.readFileSync(s.allowedSigners, 'utf8') !== line)
    fs.writeFileSync(s.allowedSigners, line, { mode: 0o600 });
}

export function readPasswordFile(file: string): string {
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * PostgreSQL's SCRAM-SHA-256 verifier for a password (RFC 5802/7677, the format `CREATE ROLE … PASSWORD`
 * accepts as already hashed). Our passwords are ASCII, so SASLprep leaves them unchanged.
 */
export function scramVerifier(password: string, salt = crypto.randomBytes(16), iterations = 4096): string {
  const salted = crypto.pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string): Buffer => crypto.createHmac('sha256', key).update(text).digest();
  const storedKey = crypto.createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
