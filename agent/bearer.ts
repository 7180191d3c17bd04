import crypto from 'node:crypto';
import fs from 'node:fs';

/**
 * Where the agent's bearer token comes from: the app's own value (from its secret store), a file (read at start,
 * trimmed), or an environment variable. The CLI side never takes it inline either (plan targets name a file or
 * a variable).
 */
export type TokenSource = string | { file: string } | { env: string };

export function readToken(source: TokenSource): string {
  let token: string | undefined;
  if (typeof source === 'string') token = source;
  else if ('file' in source) {
    try {
      token = fs.readFileSync(source.file, 'utf8').trim();
    } catch (err) {
      throw new Error(`cannot read the agent's token file ${source.file}: ${(err as NodeJS.ErrnoException).code}`);
    }
  } else token = process.env[source.env]?.trim();
  if (!token) throw new Error('the agent was given a token source that holds no token');
  return token;
}

/**
 * Checks an Authorization header against the token in constant time: both sides are hashed first, so neither
 * the comparison's duration nor a length mismatch tells how much of a guess was right.
 */
export function bearerMatcher(token: string): (authorization: string | undefined) => boolean {
  const want = crypto.createHash('sha256').update(token).digest();
  return (authorization) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return false;
    return crypto.timingSafeEqual(crypto.createHash('sha256').update(m[1]!).digest(), want);
  };
}
