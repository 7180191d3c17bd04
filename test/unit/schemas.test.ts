import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { schemasDir } from '../../scripts/lib/paths';
import { newAjv } from '../../scripts/lib/schema';

// Start-up skips meta-schema validation for speed (scripts/lib/schema.ts); this is where every schema is held to it.
const files = fs
  .readdirSync(schemasDir)
  .filter((f) => f.endsWith('.schema.json'))
  .sort();

t.test('every schema is valid draft 2020-12, compiles in strict mode, and its $id is its file name', async (t) => {
  const ajv = newAjv({ validateSchema: true });
  const schemas = files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(schemasDir, f), 'utf8'))] as const);
  for (const [file, schema] of schemas) {
    t.equal(schema.$id, file, `${file}: $id`);
    t.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', `${file}: draft`);
    ajv.addSchema(schema, file);
  }
  for (const [file] of schemas) t.doesNotThrow(() => ajv.getSchema(file), `${file} compiles`);
});

t.test('every schema has a generated type, and no generated type outlives its schema', async (t) => {
  const types = fs
    .readdirSync(path.join(schemasDir, '..', 'scripts', 'types'))
    .filter((f) => f.endsWith('.ts'))
    .sort();
  t.same(
    types,
    files.map((f) => f.replace(/\.schema\.json$/, '.ts')),
  );
});

t.test('each generated type is declared in one file: a $ref to another schema is imported, not copied', async (t) => {
  const dir = path.join(schemasDir, '..', 'scripts', 'types');
  const declaredIn = new Map<string, string[]>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/^export (?:interface|type) (\w+)/gm))
      declaredIn.set(m[1]!, [...(declaredIn.get(m[1]!) ?? []), file]);
  }
  const twice = [...declaredIn].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files}`);
  t.same(twice, [], 'no type name is declared in two files');
  t.same(declaredIn.get('PoolConfig'), ['pool-config.ts']);
});
