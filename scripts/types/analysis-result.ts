/* Generated from schemas/analysis-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { LoadtestCriteria } from './loadtest-criteria';

/**
 * Evidence written by `poolgate analyze`: each criterion with its measured value, threshold and verdict. The verdict is fail if any criterion failed, else could_not_measure if any could not be measured, else pass (a criterion that only warns does not change it).
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
  verdict: 'pass' | 'fail' | 'could_not_measure';
  results: {
    id: string;
    label: string;
    value: number | null;
    threshold: number;
    comparison: '<' | '>=' | '==';
    unit: 'ms' | '%' | 'count';
    verdict: 'pass' | 'warn' | 'fail' | 'could_not_measure' | 'skipped';
    detail?: string;
  }[];
}
