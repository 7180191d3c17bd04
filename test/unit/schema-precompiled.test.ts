import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { describeErrors, newAjv } from '../../scripts/lib/schema';
import { PRECOMPILED_DIR, precompiled, schemasHash } from '../../scripts/lib/schema-precompiled';
import { schemasDir } from '../../scripts/lib/paths';

const names = fs
  .readdirSync(schemasDir)
  .filter((f) => f.endsWith('.schema.json'))
  .map((f) => f.replace(/\.schema\.json$/, ''));

// The build (npm run build) writes them; `npm test` builds first.
t.test(
  'every build-time validator judges like the run-time compiler, errors included',
  { skip: !fs.existsSync(PRECOMPILED_DIR) && 'not built' },
  async (t) => {
    const ajv = newAjv({ validateSchema: false });
    for (const f of fs.readdirSync(schemasDir).filter((n) => n.endsWith('.schema.json'))) {
      const s = JSON.parse(fs.readFileSync(path.join(schemasDir, f), 'utf8')) as { $id?: string };
      ajv.addSchema(s, s.$id ?? f);
    }
    for (const name of names) {
      const pre = precompiled(name);
      t.ok(pre, `${name}: built from the schemas in the tree`);
      const live = ajv.getSchema(`${name}.schema.json`)!;
      for (const value of [{}, null, [], { min: -1, max: 'x', extra: true }, { timestamp: 'not a date', pool: {} }]) {
        const a = pre!(value);
        const b = live(value);
        t.equal(a, b, `${name}: same verdict on ${JSON.stringify(value)}`);
        t.same(
          describeErrors(pre!.errors),
          describeErrors(live.errors),
          `${name}: same errors on ${JSON.stringify(value)}`,
        );
      }
    }
  },
);

t.test('the stamp hash changes with any schema file, so stale validators are never used', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemas-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'a.schema.json'), '{"type":"object"}');
  const before = schemasHash(dir);
  fs.writeFileSync(path.join(dir, 'a.schema.json'), '{"type":"array"}');
  t.not(schemasHash(dir), before, 'an edited schema');
  const edited = schemasHash(dir);
  fs.writeFileSync(path.join(dir, 'b.schema.json'), '{}');
  t.not(schemasHash(dir), edited, 'an added schema');
});
