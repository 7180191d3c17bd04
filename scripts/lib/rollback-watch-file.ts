import fs from 'node:fs';
import path from 'node:path';
import { fileTimestamp } from './evidence';
import { isValid } from './schema';
import type { RollbackWatchResult } from '../types/rollback-watch-result';

/**
 * The post-rollback watch's evidence: `post_rollback_watch_<ts>.json` (its verdict) and its samples, apart from the
 * change's own monitor_<ts>.json and monitor_samples.jsonl (which the report and the incident read as the change's
 * monitoring).
 */
export const WATCH_SAMPLES_FILE = 'post_rollback_samples.jsonl';
const WATCH_FILE = /^post_rollback_watch_\d{8}T\d{6}Z\.json$/;

export const watchFileName = (started: Date): string => `post_rollback_watch_${fileTimestamp(started)}.json`;

/** The newest watch result in a run's folder; null when there is none or it does not validate. */
export function newestWatch(dir: string): { file: string; result: RollbackWatchResult } | null {
  const file = fs
    .readdirSync(dir)
    .filter((f) => WATCH_FILE.test(f))
    .sort()
    .pop();
  if (!file) return null;
  try {
    const v: unknown = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    return isValid<RollbackWatchResult>('rollback-watch-result', v) ? { file, result: v } : null;
  } catch {
    return null;
  }
}
