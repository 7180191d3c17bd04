import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { installArtefact, traceArtefact } from '../../../lab/fleet/artefact';

const pkg = (name: string, deps: Record<string, string> = {}): string =>
  JSON.stringify({ name, version: '1.0.0', main: 'index.js', dependencies: deps });

/** A checkout in miniature: a service entry, its library, two npm packages, the CLI beside them. */
function checkout(t: Test, entryRequires: string): string {
  return t.testdir({
    'package.json': JSON.stringify({ name: 'poolgate', bin: { poolgate: 'bin/poolgate.js' } }),
    bin: { 'poolgate.js': "require('../dist/scripts/cli');" },
    dist: {
      lab: {
        service: {
          'main.js': `${entryRequires}\nrequire("node:fs");\nrequire('./server');`,
          'server.js': 'require("pg");',
        },
      },
      scripts: { 'cli.js': 'require("yargs");', lib: { 'x.js': '' } },
      'schemas-compiled': { 'a.js': 'require("ajv/dist/runtime/equal");' },
    },
    schemas: { 'a.schema.json': '{}' },
    node_modules: {
      pg: { 'package.json': pkg('pg', { 'pg-types': '1' }), 'index.js': '', lib: { 'client.js': '' } },
      'pg-types': { 'package.json': pkg('pg-types'), 'index.js': '' },
      ajv: { 'package.json': pkg('ajv'), dist: { runtime: { 'equal.js': '' } } },
      yargs: { 'package.json': pkg('yargs'), 'index.js': '' },
    },
  });
}

t.test(
  'the trace: the entry, what it requires, whole packages with their dependencies, the runtime data',
  async (t) => {
    const root = checkout(t, '');
    const a = traceArtefact(root, 'dist/lab/service/main.js');
    t.same(a.files, [
      'dist/lab/service/main.js',
      'dist/lab/service/server.js',
      'dist/schemas-compiled/a.js',
      'node_modules/ajv/dist/runtime/equal.js',
      'node_modules/ajv/package.json',
      'node_modules/pg-types/index.js',
      'node_modules/pg-types/package.json',
      'node_modules/pg/index.js',
      'node_modules/pg/lib/client.js',
      'node_modules/pg/package.json',
      'schemas/a.schema.json',
    ]);
    t.same(a.generated, {});
    t.match(a.sha256, /^[0-9a-f]{64}$/);
    const dest = path.join(root, 'installed');
    installArtefact(root, a, dest);
    t.ok(fs.existsSync(path.join(dest, 'node_modules/pg/lib/client.js')));
    t.notOk(fs.existsSync(path.join(dest, 'bin')), 'no bin/');
    t.equal(fs.readFileSync(path.join(dest, '.artefact-sha256'), 'utf8').trim(), a.sha256);
  },
);

t.test('a service that requires the CLI cannot be made into an artefact', async (t) => {
  const root = checkout(t, "require('../../scripts/cli');");
  t.throws(() => traceArtefact(root, 'dist/lab/service/main.js'), /would carry poolgate's CLI: dist\/scripts\/cli\.js/);
});

t.test('a change of any file changes the sha256', async (t) => {
  const root = checkout(t, '');
  const before = traceArtefact(root, 'dist/lab/service/main.js').sha256;
  fs.appendFileSync(path.join(root, 'node_modules/pg-types/index.js'), '// changed');
  t.not(traceArtefact(root, 'dist/lab/service/main.js').sha256, before);
});
