import type { Item } from './checklist';
import { passed, unknown } from './checklist';
import type { CommonInputs } from './command-inputs';
import { cpuSourceFor } from './db-cpu';
import { resolveMonitorConfig } from './judge/monitor-defaults';
import { p0Checker } from './monitor-run';
import { describeMissing, missingSources, SET_LOGS } from './monitor-sources';
import { errorText } from './error-text';

const fail = (id: string, item: string, threshold: string, detail: string): Item => ({
  id,
  item,
  verdict: 'FAIL',
  measured: 'not configured',
  value: null,
  threshold,
  detail,
});

/**
 * Whether what the rest of the run judges can be measured, checked before any host is touched: every monitor
 * trigger's source configured (monitor-sources.ts) and read once now (the database host's CPU over its connection,
 * the P0 signal), and every instance's log configured and read once on its host. A source that is missing FAILs
 * naming what to set; one that cannot be read now is COULD_NOT_MEASURE. Both refuse the run, where the
 * monitor would otherwise find out an hour into the change and roll it back. Only with a plan: the plan is what the
 * rollout monitors with.
 */
export async function sourceItems(inputs: CommonInputs, started: Date): Promise<Item[]> {
  if (!inputs.plan) return [];
  const cfg = resolveMonitorConfig(inputs.plan.monitor ?? {});
  const cpu = cpuSourceFor(cfg.db_cpu, inputs.runner);
  const missing = missingSources(cfg, { database: inputs.database !== null, cpu: cpu !== undefined });
  const items: Item[] = missing.map((m) =>
    fail(`source:${m.source}`, `monitor source ${m.source}`, 'configured', describeMissing(m)),
  );
  const probes: Array<Promise<Item>> = [];
  if (cpu) {
    const where = cfg.db_cpu.command
      ? `command ${cfg.db_cpu.command}`
      : `${cfg.db_cpu.pid_file}${cfg.db_cpu.host ? ` on ${cfg.db_cpu.host}` : ''}`;
    probes.push(
      cpu
        .read(started.getTime())
        .then((r) =>
          r.error !== undefined
            ? unknown('source:db_cpu', 'monitor source db_cpu', 'readable', r.error)
            : passed('source:db_cpu', 'monitor source db_cpu', `read from ${where}`, 'readable'),
        ),
    );
  }
  if (!missing.some((m) => m.source === 'p0')) {
    const id = 'source:p0';
    const label = 'monitor source p0';
    probes.push(
      p0Checker(cfg.p0)().then(
        (r) =>
          r.signalled
            ? {
                ...fail(id, label, 'no P0 open', `a P0 incident is open (${r.source}): no change now`),
                measured: 'P0 open',
              }
            : passed(
                id,
                label,
                `no P0 (${[cfg.p0.file, cfg.p0.url].filter(Boolean).join(', ')})`,
                'readable, no P0 open',
              ),
        (err: unknown) => unknown(id, label, 'readable', errorText(err)),
      ),
    );
  }
  for (const t of inputs.targets) {
    const id = `source:log:${t.name}`;
    const label = `log source ${t.name}`;
    if (!inputs.logs[t.name]) {
      items.push(fail(id, label, 'configured', `verify cannot check ${t.name} for new errors: set ${SET_LOGS}`));
      continue;
    }
    probes.push(
      inputs.readLog(t.name, started, 1).then(
        (l) => passed(id, label, `${l.path} read (${l.lines_read} lines since the start)`, 'readable'),
        (err: unknown) => unknown(id, label, 'readable', errorText(err)),
      ),
    );
  }
  return [...items, ...(await Promise.all(probes))];
}
