import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../../scripts/lib/paths';

/**
 * The agent ships alone one day: nothing in agent/ may import from the rest of the repo, and it depends only on
 * Node, pg, prom-client and (for YAML files) yaml.
 */
const ALLOWED = new Set(['pg', 'prom-client', 'yaml']);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

t.test('agent/ imports only itself, node: modules and its three packages', async (t) => {
  const agentDir = path.join(packageRoot, 'agent');
  const bad: string[] = [];
  for (const file of sources(agentDir)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|require\(|import\()\s*'([^']+)'/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:') || ALLOWED.has(spec)) continue;
      if (spec.startsWith('.') && path.resolve(path.dirname(file), spec).startsWith(agentDir + path.sep)) continue;
      bad.push(`${path.relative(packageRoot, file)} imports ${spec}`);
    }
  }
  t.same(bad, []);
});
