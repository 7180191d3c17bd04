import crypto from 'node:crypto';
import t from 'tap';
import { PoolConfigError } from '../../../agent/config-error';
import { configReader, parsePoolConfig, poolConfigFromEnv, readPoolConfigFile } from '../../../agent/config-source';
import { problemsOf } from '../../../scripts/lib/schema';

const good = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

t.test('a valid file gives the settings and the sha256 of its exact bytes', async (t) => {
  const loaded = parsePoolConfig(bytes(good), '/etc/pool.json', new Date('2026-01-01T00:00:00Z'));
  t.same(loaded.pool, good);
  t.equal(loaded.source, '/etc/pool.json');
  t.match(loaded.sha256, /^[0-9a-f]{64}$/);
  // Same settings, different bytes (whitespace): a different sha256, because it hashes what was loaded.
  t.not(parsePoolConfig(Buffer.from(JSON.stringify(good, null, 2)), 'x').sha256, loaded.sha256);
});

t.test('min > max is refused, naming both fields', async (t) => {
  const err = t.throws(() => parsePoolConfig(bytes({ ...good, min: 60 }), 'p.json')) as PoolConfigError;
  t.type(err, PoolConfigError);
  t.match(err.message, /\/min \(60\) must be <= \/max \(50\)/);
  t.doesNotThrow(() => parsePoolConfig(bytes({ ...good, min: 50 }), 'p.json'), 'min = max is fine');
});

t.test('schema rules: unknown key, fractional, zero, missing, not JSON', async (t) => {
  const problemsOf = (v: unknown): string[] => {
    try {
      parsePoolConfig(bytes(v), 'p.json');
    } catch (err) {
      t.type(err, PoolConfigError);
      t.equal((err as PoolConfigError).code, 'E_SCHEMA');
      return (err as PoolConfigError).problems;
    }
    t.fail('expected a SchemaError');
    return [];
  };
  t.match(problemsOf({ ...good, maxSize: 3 }), [/unknown key "maxSize"/]);
  t.match(problemsOf({ ...good, max: 50.5 }), [/\/max: must be integer/]);
  t.match(problemsOf({ ...good, max: 0 }), [/\/max: must be >= 1/]);
  t.match(problemsOf({ ...good, acquireTimeoutMillis: 0 }), [/\/acquireTimeoutMillis: must be >= 1/]);
  t.match(problemsOf({ min: 1, max: 2 }), [/missing required key "idleTimeoutMillis"/]);
  t.doesNotThrow(() => parsePoolConfig(bytes({ ...good, min: 0 }), 'p.json'), 'min 0 is allowed (no pre-warm)');
  const notJson = t.throws(() => parsePoolConfig(Buffer.from('{"min": 1,'), 'p.json')) as PoolConfigError;
  t.equal(notJson.code, 'E_CONFIG_JSON');
});

t.test('an unreadable file is an InputError with the errno code, not a crash', async (t) => {
  const dir = t.testdir({ 'pool.json': JSON.stringify(good) });
  t.same((await readPoolConfigFile(`${dir}/pool.json`)).pool, good);
  await t.rejects(readPoolConfigFile(`${dir}/missing.json`), { code: 'E_CONFIG_READ', message: /ENOENT/ });
});

t.test('the generated validator refuses exactly what the schema in schemas/ refuses', async (t) => {
  const cases: unknown[] = [
    good,
    { ...good, extra: 1 },
    { ...good, max: 10_001 },
    { ...good, min: -1 },
    { ...good, idleTimeoutMillis: '30000' },
    { min: 1 },
    [],
  ];
  for (const value of cases) {
    let agentProblems: string[] = [];
    try {
      parsePoolConfig(bytes(value), 'p.json');
    } catch (err) {
      agentProblems = (err as PoolConfigError).problems;
    }
    t.same(agentProblems, problemsOf('pool-config', value), JSON.stringify(value));
  }
});

t.test('YAML by extension, hashed as written', async (t) => {
  const text =
    'min: 10\nmax: 50\nidleTimeoutMillis: 30000\nconnectionTimeoutMillis: 2000\nacquireTimeoutMillis: 10000\n';
  const loaded = parsePoolConfig(Buffer.from(text), '/etc/pool.yaml');
  t.same(loaded.pool, good);
  t.equal(loaded.sha256, crypto.createHash('sha256').update(text).digest('hex'));
  t.throws(() => parsePoolConfig(Buffer.from('min: [1'), 'p.yml'), { code: 'E_CONFIG_YAML' });
  t.throws(
    () => parsePoolConfig(Buffer.from('min: 1\nmin: 2\n'), 'p.yml'),
    { code: 'E_CONFIG_YAML' },
    'duplicate keys',
  );
});

t.test('environment variables: the five keys by prefix, validated like a file', async (t) => {
  const env = {
    PGPOOL_MIN: '10',
    PGPOOL_MAX: '50',
    PGPOOL_IDLETIMEOUTMILLIS: '30000',
    PGPOOL_CONNECTIONTIMEOUTMILLIS: '2000',
    PGPOOL_ACQUIRETIMEOUTMILLIS: '10000',
  };
  const loaded = poolConfigFromEnv(env, 'PGPOOL_');
  t.same(loaded.pool, good);
  t.equal(loaded.source, 'env:PGPOOL_*');
  t.equal((await configReader({ env, prefix: 'PGPOOL_' })()).sha256, loaded.sha256, 'same values, same sha256');
  const problems = (e: NodeJS.ProcessEnv): string[] => {
    try {
      poolConfigFromEnv(e, 'PGPOOL_');
      return [];
    } catch (err) {
      return (err as PoolConfigError).problems;
    }
  };
  t.match(problems({ ...env, PGPOOL_MAX: 'fifty' }), [/\/max: must be integer/]);
  t.match(problems({}), [/missing required key "min"/]);
});
