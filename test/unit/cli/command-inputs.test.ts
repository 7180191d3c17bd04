import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { resolveCommon } from '../../../scripts/lib/command-inputs';
import { InputError, SchemaError } from '../../../scripts/lib/errors';

const pool = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const plan = {
  run_id: 'r1',
  operator: 'planner',
  change: { from: pool, to: { ...pool, min: 20, max: 200 } },
  targets: [{ name: 'p1', url: 'http://127.0.0.21:3000', log: '/var/log/p1.log' }],
  database: { host: '127.0.0.1', port: 5432, database: 'ledger', user: 'mon', password_file: '/secrets/mon' },
};

t.test('flags override the plan: database fields one by one, targets as a whole, logs by name', async (t) => {
  const dir = t.testdir({ 'plan.json': JSON.stringify(plan) });
  const r = resolveCommon(
    { plan: path.join(dir, 'plan.json'), json: false, dbPort: 6432, operator: 'flag-op', log: ['p1=/tmp/p1.log'] },
    new Date('2026-02-01T02:00:00Z'),
  );
  t.same(r.database, { ...plan.database, port: 6432 });
  t.equal(r.operator, 'flag-op');
  t.same(r.logs, { p1: { file: '/tmp/p1.log' } });
  t.equal(r.evidenceDir, path.join('evidence', 'r1'));
  const flagsOnly = resolveCommon({
    plan: path.join(dir, 'plan.json'),
    json: false,
    target: ['x=http://127.0.0.9:3000'],
  });
  t.same(flagsOnly.targets, [{ name: 'x', url: 'http://127.0.0.9:3000' }]);
});

t.test('without a plan: targets are required, the evidence folder is ad hoc', async (t) => {
  t.throws(() => resolveCommon({ json: false }), InputError);
  const r = resolveCommon({ json: false, target: ['a=http://127.0.0.1:3000'] }, new Date('2026-02-01T02:00:00Z'));
  t.equal(r.database, null);
  t.equal(r.evidenceDir, path.join('evidence', 'adhoc-20260201T020000Z'));
});

t.test('bad input names the field: a partial database, a log for an unknown target, an invalid plan', async (t) => {
  t.throws(() => resolveCommon({ json: false, target: ['a=http://127.0.0.1:3000'], dbHost: '127.0.0.1' }), SchemaError);
  t.throws(() => resolveCommon({ json: false, target: ['a=http://127.0.0.1:3000'], log: ['b=/x'] }), /not a target/);
  const dir = t.testdir({ 'bad.json': JSON.stringify({ ...plan, change: { from: pool } }) });
  t.throws(() => resolveCommon({ json: false, plan: path.join(dir, 'bad.json') }), /change: missing required key "to"/);
  t.notOk(fs.existsSync(path.join(dir, 'evidence')), 'resolving inputs writes nothing');
});
