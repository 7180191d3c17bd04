import fs from 'node:fs';
import { InputError } from './errors';
import { assertValid } from './schema';
import type { LoadtestCriteria } from '../types/loadtest-criteria';
import { withDefaults } from './schema-defaults';

/**
 * Criteria layers, lowest first: the runbook's defaults, the plan's `criteria` section, a --criteria file,
 * then flags; absent keys take the schema's defaults (the runbook's Step 5 values). Each layer is validated, so a bad file names its field and rule (exit 2).
 */
export function loadCriteria(layers: {
  plan?: LoadtestCriteria;
  file?: string;
  flags: LoadtestCriteria;
}): Required<LoadtestCriteria> {
  let fromFile: LoadtestCriteria = {};
  if (layers.file) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(layers.file, 'utf8'));
    } catch (err) {
      throw new InputError(`cannot read criteria ${layers.file}: ${(err as Error).message}`, 'E_CRITERIA_READ');
    }
    fromFile = assertValid<LoadtestCriteria>('loadtest-criteria', raw, `criteria file ${layers.file}`);
  }
  const flags = Object.fromEntries(Object.entries(layers.flags).filter(([, v]) => v !== undefined)) as LoadtestCriteria;
  const merged = withDefaults<LoadtestCriteria>('loadtest-criteria', { ...(layers.plan ?? {}), ...fromFile, ...flags });
  return assertValid<Required<LoadtestCriteria>>('loadtest-criteria', merged, 'criteria');
}

/** The runbook's Step 5 criteria (the schema's defaults). */
export function runbookCriteria(): Required<LoadtestCriteria> {
  return loadCriteria({ flags: {} });
}
