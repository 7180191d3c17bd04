import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';

/**
 * Every file a run's evidence folder (DESIGN.md "Evidence") may hold: its name, how it is found, and the schema
 * its content follows. The one place these names are written down: the commands that write evidence name their
 * file here, and everything that reads a run (the report, the HTML report, the incident, notifications, the ramp,
 * the bench) finds it here.
 */
export interface EvidenceKind {
  /** The file's name, for a file written now (`at` stamps the timestamped ones). */
  name: (at: Date) => string;
  /** Which names in the folder are this kind. */
  pattern: RegExp;
  /** The name as a person looks for it (`<ts>` for the timestamp). */
  shown: string;
  /** The schema every JSON document (or every line, for `lines`) must match. */
  schema?: string;
  /** JSON lines: one document per line, appended. */
  lines?: boolean;
}

/** UTC timestamp for evidence names, 20260201T023000Z: name order is time order. */
export function fileTimestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

const TS = '\\d{8}T\\d{6}Z';
const fixed = (file: string) => ({
  name: () => file,
  shown: file,
  pattern: new RegExp(`^${file.replace(/\./g, '\\.')}$`),
});
const stamped = (prefix: string, suffix: string) => ({
  name: (at: Date) => `${prefix}${fileTimestamp(at)}${suffix}`,
  shown: `${prefix}<ts>${suffix}`,
  pattern: new RegExp(`^${prefix}${TS}${suffix.replace(/\./g, '\\.')}$`),
});

export const EVIDENCE = {
  plan: { ...fixed('plan.json'), schema: 'plan' },
  preflight: { ...stamped('preflight_', '.json'), schema: 'preflight-result' },
  snapshot: { ...stamped('pre_change_snapshot_', '.json'), schema: 'snapshot' },
  verify: { ...stamped('verify_', '.json'), schema: 'verify-result' },
  /**
   * The runbook's Step 5 names the load test post_change_load_test.json (the rollout writes that); a standalone
   * `poolgate loadtest --evidence-dir` writes loadtest_<ts>.json.
   */
  loadtest: {
    name: stamped('loadtest_', '.json').name,
    pattern: new RegExp(`^(post_change_load_test|loadtest_${TS})\\.json$`),
    shown: 'post_change_load_test.json (or loadtest_<ts>.json)',
    schema: 'loadtest-result',
  },
  analysis: { ...stamped('analysis_', '.json'), schema: 'analysis-result' },
  monitor: { ...stamped('monitor_', '.json'), schema: 'monitor-result' },
  monitor_samples: { ...fixed('monitor_samples.jsonl'), schema: 'monitor-sample', lines: true },
  alerts: fixed('alerts.log'),
  advice: { ...stamped('advice_', '.json'), schema: 'advice' },
  report: { ...fixed('report.json'), schema: 'report' },
  report_markdown: stamped('pool_scaling_verification_', '.md'),
  report_html: stamped('pool_scaling_verification_', '.html'),
  events: { ...fixed('events.jsonl'), schema: 'rollout-event', lines: true },
  notifications: { ...fixed('notifications.jsonl'), schema: 'notification', lines: true },
  rollback_log: fixed('rollback_log.txt'),
  /** The watch after a rollback (runbook rollback step 4), apart from the change's own monitoring. */
  rollback_watch: { ...stamped('post_rollback_watch_', '.json'), schema: 'rollback-watch-result' },
  rollback_watch_samples: { ...fixed('post_rollback_samples.jsonl'), schema: 'monitor-sample', lines: true },
  /** The revert `poolgate change revert` prepared after a rollback, or why it could not. */
  revert: { ...fixed('revert.json'), schema: 'revert-result' },
  contract_check: { ...stamped('contract_check_', '.json'), schema: 'contract-check-result' },
  incident: {
    name: (at: Date) => `incidents/${fileTimestamp(at)}_pool_scaling_incident.md`,
    pattern: new RegExp(`^incidents/${TS}_pool_scaling_incident\\.md$`),
    shown: 'incidents/<ts>_pool_scaling_incident.md',
  },
  ramp_summary: { ...fixed('ramp_summary.json'), schema: 'ramp-summary' },
  manifest: fixed('manifest.sha256'),
  manifest_signature: fixed('manifest.sha256.sig'),
  /** The `sealed` notifications: sent after the seal, so outside the manifest, each carrying its digest. */
  seal_notifications: { ...fixed('seal_notifications.jsonl'), schema: 'notification', lines: true },
} as const satisfies Record<string, EvidenceKind>;

/** What the seal writes, and what is written after it: never listed in the manifest. */
export const AFTER_SEAL: readonly EvidenceKindName[] = ['manifest', 'manifest_signature', 'seal_notifications'];

export type EvidenceKindName = keyof typeof EVIDENCE;

/** The runbook's name for the load test the rollout runs (Step 5). */
export const RUNBOOK_LOADTEST_FILE = 'post_change_load_test.json';

/** The file a kind is written to now. */
export const evidenceFile = (kind: EvidenceKindName, at = new Date()): string => EVIDENCE[kind].name(at);

/** The files of a folder (relative names, incidents/ included), or of a list already read. */
function namesIn(dirOrFiles: string | readonly string[]): string[] {
  if (typeof dirOrFiles !== 'string') return [...dirOrFiles];
  if (!fs.existsSync(dirOrFiles) || !fs.statSync(dirOrFiles).isDirectory()) return [];
  const top = fs.readdirSync(dirOrFiles);
  const incidents =
    top.includes('incidents') && fs.statSync(path.join(dirOrFiles, 'incidents')).isDirectory()
      ? fs.readdirSync(path.join(dirOrFiles, 'incidents')).map((f) => `incidents/${f}`)
      : [];
  return [...top, ...incidents];
}

/** Every file of a kind, oldest first (timestamped names sort by time). */
export function filesOf(dirOrFiles: string | readonly string[], kind: EvidenceKindName): string[] {
  return namesIn(dirOrFiles)
    .filter((f) => EVIDENCE[kind].pattern.test(f))
    .sort();
}

/**
 * The newest file of a kind, or null. For the load test, the rollout's own post_change_load_test.json wins over
 * any standalone loadtest_<ts>.json in the same folder.
 */
export function newestOf(dirOrFiles: string | readonly string[], kind: EvidenceKindName): string | null {
  const files = filesOf(dirOrFiles, kind);
  if (kind === 'loadtest' && files.includes(RUNBOOK_LOADTEST_FILE)) return RUNBOOK_LOADTEST_FILE;
  return files.at(-1) ?? null;
}

/** Which kind a file of the folder is, or null for a file no kind names. */
export function kindOf(file: string): EvidenceKindName | null {
  for (const [kind, k] of Object.entries(EVIDENCE)) if (k.pattern.test(file)) return kind as EvidenceKindName;
  return null;
}

/**
 * A run's evidence folder, or bad input naming why it is not one: it must exist, be a folder, and hold at least one
 * file of a known kind (a command reading an empty or unrelated folder would otherwise write a report of nothing).
 */
export function requireRunFolder(dir: string, flag = '--evidence-dir'): string {
  const full = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new InputError(`${flag} ${dir} does not exist`);
  }
  if (!stat.isDirectory()) throw new InputError(`${flag} ${dir} is not a folder`);
  if (!namesIn(full).some((f) => kindOf(f) !== null))
    throw new InputError(
      `${flag} ${dir} holds no evidence of a run (none of ${EVIDENCE.plan.shown}, ${EVIDENCE.events.shown}, ${EVIDENCE.snapshot.shown}, ...)`,
    );
  return full;
}
