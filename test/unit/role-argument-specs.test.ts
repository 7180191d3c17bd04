import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../scripts/lib/paths';
import { loadYaml } from '../helpers/yaml';

/**
 * Every role documents its options twice — commented defaults and meta/argument_specs.yml (which Ansible uses to
 * validate them) — so the two must agree: same names, same defaults, every default commented. A thin role over one
 * action that validates its own arguments (poolgate) may go without a spec: it must say so, and pass every option.
 */
const rolesDir = path.join(packageRoot, 'roles');

interface Spec {
  argument_specs: Record<string, { options: Record<string, { default?: unknown; description?: unknown }> }>;
}

for (const role of fs.readdirSync(rolesDir).sort()) {
  void t.test(`role ${role}: defaults and argument specs agree`, async (t) => {
    const defaultsFile = path.join(rolesDir, role, 'defaults', 'main.yml');
    const defaults = loadYaml(defaultsFile) as Record<string, unknown>;
    const specFile = path.join(rolesDir, role, 'meta', 'argument_specs.yml');
    if (!fs.existsSync(specFile)) {
      t.match(
        fs.readFileSync(defaultsFile, 'utf8'),
        /No meta\/argument_specs\.yml on purpose/,
        'its defaults say why it has no spec',
      );
      const tasks = fs.readFileSync(path.join(rolesDir, role, 'tasks', 'main.yml'), 'utf8');
      for (const name of Object.keys(defaults))
        t.match(tasks, new RegExp(`\\{\\{ ${name} \\}\\}`), `${name} is passed to the task that validates it`);
      return;
    }
    const spec = loadYaml(specFile) as Spec;
    const main = spec.argument_specs.main!.options;
    t.same(Object.keys(main).sort(), Object.keys(defaults).sort(), 'the same options in both');
    for (const [name, value] of Object.entries(defaults)) {
      t.ok(name.startsWith(`${role}_`), `${name} carries the role's prefix`);
      if (main[name] && 'default' in main[name]!) t.same(main[name]!.default, value, `${name}: same default`);
      t.ok(
        typeof main[name]?.description === 'string' && (main[name]!.description as string).length > 10,
        `${name} is described`,
      );
    }
    for (const [entry, { options }] of Object.entries(spec.argument_specs)) {
      for (const name of Object.keys(options))
        t.ok(name in defaults || entry === 'main', `${entry}: ${name} has a default`);
    }
    const lines = fs.readFileSync(defaultsFile, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^[a-z_]+:/.test(line))
        t.match(
          lines[i - 1] ?? '',
          /^#|^[a-z_]+:/,
          `${line.split(':')[0]} is commented (alone or with the group above it)`,
        );
    });
  });
}
