import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { PoolConfigError } from './config-error';
import type { PoolConfig } from './generated/pool-config';
import { validatePoolConfig } from './generated/pool-config-validator';
import { describeErrors, type SchemaErrorObject } from './schema-errors';

/** A pool config as loaded: the validated settings plus where they came from and the sha256 of the exact bytes. */
export interface LoadedPoolConfig {
  pool: PoolConfig;
  source: string;
  sha256: string;
  loadedAt: Date;
}

/** Where the pool config comes from: a file (JSON, or YAML by its extension), or environment variables. */
export type PoolConfigSource = string | { file: string } | { env: NodeJS.ProcessEnv; prefix?: string };

const KEYS = ['min', 'max', 'idleTimeoutMillis', 'connectionTimeoutMillis', 'acquireTimeoutMillis'] as const;

/**
 * Parses and validates a pool config's bytes (pure: no I/O). The schema (schemas/pool-config.schema.json, compiled
 * into generated/) checks each key; the one rule a schema cannot express across keys, min <= max, is checked here.
 * The sha256 is of the bytes as given, so it matches `sha256sum` of the file an operator wrote.
 */
export function parsePoolConfig(bytes: Buffer, source: string, now = new Date()): LoadedPoolConfig {
  const value = isYaml(source) ? parseYaml(bytes, source) : parseJson(bytes, source);
  if (validatePoolConfig(value) !== true) {
    const errors = (validatePoolConfig as unknown as { errors: SchemaErrorObject[] }).errors;
    throw new PoolConfigError(`pool config ${source} is invalid`, 'E_SCHEMA', describeErrors(errors));
  }
  const pool = value as PoolConfig;
  if (pool.min > pool.max) {
    throw new PoolConfigError(
      `pool config ${source} is invalid: /min (${pool.min}) must be <= /max (${pool.max})`,
      'E_CONFIG_MIN_MAX',
    );
  }
  return { pool, source, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), loadedAt: now };
}

export async function readPoolConfigFile(file: string): Promise<LoadedPoolConfig> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new PoolConfigError(
      `cannot read pool config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      'E_CONFIG_READ',
    );
  }
  return parsePoolConfig(bytes, file);
}

/**
 * The five keys from `<prefix><KEY>` variables (POOL_MIN, POOL_MAX, POOL_IDLETIMEOUTMILLIS, ...). The "file" is
 * their canonical JSON, so its sha256 changes exactly when a value does. A process's environment cannot change
 * after it started: a reload of this source always finds the same bytes.
 */
export function poolConfigFromEnv(env: NodeJS.ProcessEnv, prefix = 'POOL_'): LoadedPoolConfig {
  const value: Record<string, unknown> = {};
  for (const key of KEYS) {
    const raw = env[`${prefix}${key.toUpperCase()}`];
    if (raw !== undefined) value[key] = /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  }
  return parsePoolConfig(Buffer.from(JSON.stringify(value)), `env:${prefix}*`);
}

/** A reader for the source, called at start and at each reload. */
export function configReader(source: PoolConfigSource): () => Promise<LoadedPoolConfig> {
  if (typeof source === 'string') return () => readPoolConfigFile(source);
  if ('file' in source) return () => readPoolConfigFile(source.file);
  return async () => poolConfigFromEnv(source.env, source.prefix);
}

function isYaml(source: string): boolean {
  return /\.ya?ml$/i.test(source);
}

function parseJson(bytes: Buffer, source: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PoolConfigError(`pool config ${source} is not valid JSON: ${(err as Error).message}`, 'E_CONFIG_JSON');
  }
}

/** YAML needs the `yaml` package, loaded only for a .yml/.yaml file so a JSON user never pays for it. */
function parseYaml(bytes: Buffer, source: string): unknown {
  let yaml: typeof import('yaml');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional, loaded on first YAML file
    yaml = require('yaml') as typeof import('yaml');
  } catch {
    throw new PoolConfigError(`pool config ${source} is YAML: install the "yaml" package to read it`, 'E_CONFIG_YAML');
  }
  try {
    return yaml.parse(bytes.toString('utf8'), { uniqueKeys: true });
  } catch (err) {
    throw new PoolConfigError(`pool config ${source} is not valid YAML: ${(err as Error).message}`, 'E_CONFIG_YAML');
  }
}
