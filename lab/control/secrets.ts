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
