import { InputError } from '../errors';
import type { Advice } from '../../types/advice';
import { explain } from './explain';
import { fleetMeasure } from './fleet';
import { capacityFindings, measurementFindings, plannedFindings } from './findings';
import { worstSeverity, type AdviceParameters, type DbFacts } from './parameters';
import type { InstanceMeasure } from './rates';
import { recommend } from './recommend';

export interface AdviceInput {
  instances: InstanceMeasure[];
  source: Advice['source'];
  db: DbFacts;
  params: AdviceParameters;
  /** Pools in the whole fleet when only some instances were sampled (default: those measured). */
  instanceCount?: number;
  /** Fewest instances that carry the whole traffic at once (default: those with traffic). */
  serving?: number;
  planned?: { max: number; source: 'flag' | 'plan' } | null;
  now?: Date;
}

/** Pure: measured instances + database facts + parameters -> the advice document (schema advice). */
export function buildAdvice(input: AdviceInput): Advice {
  const { db, params } = input;
  const [head, ...rest] = input.instances;
  if (!head) throw new InputError('no instances to size', 'E_ADVISE_EMPTY');
  const instances: Advice['instances'] = [head, ...rest];
  const fleet = fleetMeasure(instances, {
    quantile: params.quantile,
    instances: input.instanceCount,
    serving: input.serving,
  });
  const rec = recommend(instances, fleet, db, params);
  const planned: Advice['planned'] = input.planned
    ? {
        max: input.planned.max,
        source: input.planned.source,
        ratio_to_recommended: input.planned.max / rec.max,
        sum_over_instances: input.planned.max * fleet.instances,
      }
    : null;
  const findings = [
    ...measurementFindings(instances, fleet, params),
    ...capacityFindings(fleet, db, rec),
    ...plannedFindings(planned, fleet, db, rec, params),
  ];
  const body = { source: input.source, parameters: params, database: db, fleet, instances, recommended: rec, planned };
  return {
    generated_at: (input.now ?? new Date()).toISOString(),
    severity: worstSeverity(findings),
    ...body,
    findings,
    explanation: explain(body),
  };
}
