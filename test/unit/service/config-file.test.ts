import t from 'tap';
import { InputError, SchemaError } from '../../../scripts/lib/errors';
import { parsePoolConfig, readPoolConfig } from '../../../lab/service/config-file';

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
  const err = t.throws(() => parsePoolConfig(bytes({ ...good, min: 60 }), 'p.json')) as InputError;
  t.type(err, InputError);
  t.match(err.message, /\/min \(60\) must be <= \/max \(50\)/);
  t.doesNotThrow(() => parsePoolConfig(bytes({ ...good, min: 50 }), 'p.json'), 'min = max is fine');
});

t.test('schema rules: unknown key, fractional, zero, missing, not JSON', async (t) => {
  const problemsOf = (v: unknown): string[] => {
    try {
      parsePoolConfig(bytes(v), 'p.json');
    } catch (err) {
      t.type(err, SchemaError);
      return (err as SchemaError).problems;
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
  const notJson = t.throws(() => parsePoolConfig(Buffer.from('{"min": 1,'), 'p.json')) as InputError;
  t.equal(notJson.code, 'E_CONFIG_JSON');
});

t.test('an unreadable file is an InputError with the errno code, not a crash', async (t) => {
  const dir = t.testdir({ 'pool.json': JSON.stringify(good) });
  t.same((await readPoolConfig(`${dir}/pool.json`)).pool, good);
  await t.rejects(readPoolConfig(`${dir}/missing.json`), { code: 'E_CONFIG_READ', message: /ENOENT/ });
});
