import fs from 'node:fs';
import { InputError } from './errors';

/** Where a target's bearer token is found (schemas/targets.schema.json): a file or a variable, never the value. */
export interface TokenRef {
  token_file?: string;
  token_env?: string;
}

const cache = new Map<string, string>();

/**
 * The Authorization header every probe of this target sends (none when the target names no token). Read once per
 * process: a rollout's commands each read it at start. A named source that holds nothing is bad input, not an
 * anonymous probe that would then fail with 401 and read as "could not measure".
 */
export function authHeaders(target: TokenRef): Record<string, string> {
  const key = target.token_file ? `file:${target.token_file}` : target.token_env ? `env:${target.token_env}` : '';
  if (key === '') return {};
  let token = cache.get(key);
  if (token === undefined) {
    if (target.token_file) {
      try {
        token = fs.readFileSync(target.token_file, 'utf8').trim();
      } catch (err) {
        throw new InputError(
          `cannot read token_file ${target.token_file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          'E_TOKEN',
        );
      }
    } else token = (process.env[target.token_env!] ?? '').trim();
    if (token === '') throw new InputError(`the bearer token source ${key} is empty`, 'E_TOKEN');
    cache.set(key, token);
  }
  return { authorization: `Bearer ${token}` };
}
