import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { kindOf } from '../../../scripts/lib/run-evidence/files';

const ROOT = path.resolve(__dirname, '../../..');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(full);
    return /\.(ya?ml|j2)$/.test(e.name) ? [full] : [];
  });
}

/**
 * The playbooks and roles name evidence files in YAML (the baseline snapshot a step passes on, the runbook's load
 * test file, the rollback log): each name, a glob's `*` taken as a timestamp, must be a kind files.ts knows, or a
 * renamed kind would leave a playbook passing a file no command writes.
 */
t.test('every evidence file the playbooks and roles name is a kind of run-evidence/files.ts', async (t) => {
  const named = new Map<string, string>();
  for (const file of [...yamlFiles(path.join(ROOT, 'playbooks')), ...yamlFiles(path.join(ROOT, 'roles'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b([a-z][a-z_]*(?:_\*)?\.(?:json|jsonl|md|txt|html))\b/g)) {
      if (m[1] === 'schema.json' || m[1]!.endsWith('.schema.json')) continue; // a schema's name, not evidence
      named.set(m[1]!, path.relative(ROOT, file));
    }
  }
  t.ok(named.has('pre_change_snapshot_*.json'), 'the baseline snapshot is found by name');
  t.ok(named.has('post_change_load_test.json'), "the runbook's load test file is named");
  for (const [name, where] of named) {
    t.not(kindOf(name.replace('*', '20260201T023000Z')), null, `${name} (${where})`);
  }
});
