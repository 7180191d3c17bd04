import { checkPoolChange, checkPoolConfig, type PoolChangeProblem } from './pool-change';
import type { Plan } from '../types/plan';
import type { PoolConfig } from '../types/pool-config';

/**
 * Semantic checks of a schema-valid plan or pool config file, beyond what JSON Schema can say. Pure: the
 * command reads and schema-validates the file, then reports these. Errors refuse the input (exit 2).
 */
export function planProblems(plan: Plan): PoolChangeProblem[] {
  const out: PoolChangeProblem[] = checkPoolChange(plan.change).map((p) => ({ ...p, message: `change.${p.message}` }));
  const seen = new Set<string>();
  for (const t of plan.targets) {
    if (seen.has(t.name))
      out.push({ rule: 'unique target names', severity: 'error', message: `targets: "${t.name}" appears twice` });
    seen.add(t.name);
  }
  const cpuHost = plan.monitor?.db_cpu?.host;
  if (cpuHost !== undefined && !(plan.hosts && cpuHost in plan.hosts))
    out.push({
      rule: 'known host',
      severity: 'error',
      message: `monitor.db_cpu.host "${cpuHost}" is not in hosts: name an inventory host (the database's)`,
    });
  return out;
}

export function poolConfigProblems(cfg: PoolConfig): PoolChangeProblem[] {
  return checkPoolConfig(cfg, 'pool');
}

export const errorsOf = (problems: PoolChangeProblem[]): PoolChangeProblem[] =>
  problems.filter((p) => p.severity === 'error');
export const warningsOf = (problems: PoolChangeProblem[]): PoolChangeProblem[] =>
  problems.filter((p) => p.severity === 'warning');
