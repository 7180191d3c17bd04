/* Generated from schemas/analysis-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { ItemVerdict, Stop, Verdict } from './evidence-common';
import type { LoadtestCriteria } from './loadtest-criteria';

/**
 * Evidence written by `poolgate analyze`: each criterion with its measured value, threshold and verdict. The verdict is FAIL if any criterion failed, else COULD_NOT_MEASURE if any could not be measured, else PASS; `stop` names the trigger unless it passed.
 */
export interface AnalysisResult {
  kind: 'analysis';
  analyzed_at: string;
  source: {
    file: string;
    sha256: string;
    run_id?: string;
  };
  criteria: LoadtestCriteria;
  verdict: Verdict;
  /**
   * The verdict in one line: what failed or could not be measured, and why.
   */
  message: string;
  stop?: Stop;
  results: {
    id: string;
    label: string;
    value: number | null;
    threshold: number;
    comparison: '<' | '>=' | '==';
    unit: 'ms' | '%' | 'count';
    verdict: ItemVerdict;
    detail?: string;
  }[];
}
