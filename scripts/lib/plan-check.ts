import { backupConfigProblem } from './backup-age';
import { PoolgateError } from './errors';
import { resolveWeights } from './loadgen/mix';
import { loadScenario, refuseWrites } from './loadgen/scenario';
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
  const backup = plan.preflight?.backup;
  const backupProblem = backup ? backupConfigProblem(backup, plan.hosts ?? {}) : null;
  if (backupProblem) out.push({ rule: 'backup source', severity: 'error', message: backupProblem });
  out.push(...loadtestProblems(plan));
  return out;
}

/**
 * The load test runs after the change: a scenario it would refuse (missing, invalid, or writing to a target
 * not marked as allowing writes) must stop the run here, before any host is touched.
 */
function loadtestProblems(plan: Plan): PoolChangeProblem[] {
  const lt = plan.loadtest;
  if (lt === undefined) return [];
  const error = (message: string): PoolChangeProblem => ({ rule: 'load-test scenario', severity: 'error', message });
  if (!lt.scenario)
    return [
      error('loadtest.scenario: missing — the requests the load test sends (schemas/loadtest-scenario.schema.json)'),
    ];
  try {
    const scenario = loadScenario(lt.scenario);
    if (!lt.allow_writes)
      refuseWrites(scenario, resolveWeights(scenario.requests, lt.mix), lt.url ?? plan.lb?.url ?? 'the load balancer');
  } catch (err) {
    if (err instanceof PoolgateError) return [error(`loadtest.scenario: ${err.message}`)];
    throw err;
  }
  return [];
}

export function poolConfigProblems(cfg: PoolConfig): PoolChangeProblem[] {
  return checkPoolConfig(cfg, 'pool');
}

export const errorsOf = (problems: PoolChangeProblem[]): PoolChangeProblem[] =>
  problems.filter((p) => p.severity === 'error');
export const warningsOf = (problems: PoolChangeProblem[]): PoolChangeProblem[] =>
  problems.filter((p) => p.severity === 'warning');
