import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../../scripts/lib/paths';
import { readEvents } from '../../../scripts/lib/run-evidence';

/**
 * The collection's Python writes events.jsonl; TypeScript reads it through schemas/rollout-event.schema.json. This
 * runs the plugins' own code (plugin_utils/events.py and the pool_config action's event recording, as Ansible's
 * controller Python runs them) with the step results the module returns, then reads the file with the TS reader:
 * every line must validate. (test/integration/pool-config-action.test.ts does the same on a real instance.)
 */
const PYTHON = `
import sys
sys.path.insert(0, sys.argv[2])
from ansible_collections.poolgate.rollout.plugins.plugin_utils.events import append_event
from ansible_collections.poolgate.rollout.plugins.action.pool_config import ActionModule

folder = sys.argv[1]
pool = {'min': 20, 'max': 200, 'idleTimeoutMillis': 30000, 'connectionTimeoutMillis': 2000, 'acquireTimeoutMillis': 10000}
h = lambda c: c * 64

class Task(object):
    check_mode = False

def action(name, check):
    a = ActionModule.__new__(ActionModule)
    a._evidence, a._name, a._task = folder, name, Task()
    a._task.check_mode = check
    return a

prepare = {'stage': 'prepare', 'at': '2026-02-01T02:00:00.000000Z', 'changed': True, 'path': '/etc/app/pool.json',
           'old_sha256': h('a'), 'file_sha256': h('b'), 'target': pool, 'in_force': {'generation': 5},
           'backup': {'path': '/etc/app/pool.json.bak-run1', 'sha256': h('a'), 'created': True},
           'rendered': {'path': '/etc/app/pool.json', 'sha256': h('b')}}
for step in (prepare,
             {'stage': 'apply', 'at': '2026-02-01T02:00:01.000000Z', 'method': 'sighup', 'generation_before': 5},
             {'stage': 'verify', 'at': '2026-02-01T02:00:02.000000Z', 'readback': {'pool': pool, 'sha256': h('b'), 'generation': 6}}):
    action('standby-1', False)._record(step)
action('standby-2', True)._record(dict(prepare, at='2026-02-01T02:00:03.000000Z'))
# a failed apply still records that it started (the action's failure path)
action('primary-1', False)._event({'action': 'applying', 'method': 'restart', 'generation_before': 4})
append_event(folder, 'localhost', {'phase': 'rollback', 'action': 'rollback_started', 'reason': 'verify failed',
                                   'trigger': 'verify_failed'})
`;

t.test("the collection's events validate against the schema the TypeScript reader uses", async (t) => {
  const dir = t.testdir({});
  execFileSync('/usr/bin/python3', ['-c', PYTHON, dir, path.join(packageRoot, 'collections')], { stdio: 'pipe' });
  const read = readEvents(dir);
  t.same(read.problems, [], 'every line validates');
  t.same(
    read.values.map((e) => `${e.host} ${e.action}`).sort(),
    [
      'localhost rollback_started',
      'primary-1 applying',
      'standby-1 applying',
      'standby-1 backed_up',
      'standby-1 rendered',
      'standby-1 verified',
      'standby-2 would_back_up',
      'standby-2 would_render',
    ],
    'every step the plugins recorded',
  );
  t.equal(read.values.length, 8, 'nothing left out');
  t.equal(read.values.at(-1)!.trigger, 'verify_failed');
});

/** Every `pool_scaling_event` mapping a playbook or task file hands to tasks/event.yml, with where it is. */
function playbookEvents(): { where: string; fields: string[] }[] {
  const out: { where: string; fields: string[] }[] = [];
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, where));
    else if (node && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) {
        if (k === 'pool_scaling_event' && v && typeof v === 'object' && !Array.isArray(v))
          out.push({ where: `${where} (${String((v as { action?: unknown }).action)})`, fields: Object.keys(v) });
        walk(v, where);
      }
  };
  const dir = path.join(packageRoot, 'playbooks');
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yml'));
  for (const f of files)
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))) walk(doc.toJS(), f);
  return out;
}

t.test('every field a playbook records in an event is named by the event schema', async (t) => {
  const schema = JSON.parse(
    fs.readFileSync(path.join(packageRoot, 'schemas', 'rollout-event.schema.json'), 'utf8'),
  ) as { properties: Record<string, unknown> };
  const events = playbookEvents();
  t.ok(events.length > 10, `${events.length} events found in playbooks/`);
  t.same(
    events.flatMap((e) => e.fields.filter((f) => !(f in schema.properties)).map((f) => `${e.where}: ${f}`)),
    [],
    'a field the schema does not name would make every reader drop the line',
  );
});
