import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { InputError } from '../../scripts/lib/errors';
import { assertValid } from '../../scripts/lib/schema';
import type { PoolConfig } from '../../scripts/types/pool-config';

/** A pool config as loaded: the validated settings plus where they came from and the sha256 of the exact bytes. */
export interface LoadedPoolConfig {
  pool: PoolConfig;
  source: string;
  sha256: string;
  loadedAt: Date;
}

/**
 * Parses and validates a pool config file's bytes (pure: no I/O). The schema checks each key; the one rule a
 * schema cannot express across keys, min <= max, is checked here. Throws InputError/SchemaError naming the field.
 */
export function parsePoolConfig(bytes: Buffer, source: string, now = new Date()): LoadedPoolConfig {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InputError(`pool config ${source} is not valid JSON: ${(err as Error).message}`, 'E_CONFIG_JSON');
  }
  const pool = assertValid<PoolConfig>('pool-config', value, `pool config ${source}`);
  if (pool.min > pool.max) {
    throw new InputError(
      `pool config ${source} is invalid: /min (${pool.min}) must be <= /max (${pool.max})`,
      'E_CONFIG_MIN_MAX',
    );
  }
  return { pool, source, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), loadedAt: now };
}

export async function readPoolConfig(source: string): Promise<LoadedPoolConfig> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(source);
  } catch (err) {
    throw new InputError(
      `cannot read pool config ${source}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'E_CONFIG_READ',
    );
  }
  return parsePoolConfig(bytes, source);
}
