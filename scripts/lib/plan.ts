import fs from 'node:fs';
import { InputError } from './errors';
import { assertValid } from './schema';
import type { Plan } from '../types/plan';

/** Read and validate a plan file (schemas/plan.schema.json). Invalid input names the field and rule; exit 2. */
export function loadPlan(file: string): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read plan ${file}: ${(err as Error).message}`, 'E_PLAN_READ');
  }
  return assertValid<Plan>('plan', raw, `plan ${file}`);
}
