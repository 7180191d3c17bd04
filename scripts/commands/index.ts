import type { CommandModule } from 'yargs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandModule<any, any>;

export interface CommandEntry {
  /** The first word a user types: `poolgate <name> …`. */
  name: string;
  load: () => Promise<AnyCommand>;
}

/**
 * Every poolgate command, registered explicitly (no directory scanning) so the list is reviewable in one place.
 * One command module per file in this folder. Modules load lazily: a command pulls in pg, undici or vega only
 * when it runs, and `poolgate --help` loads none (it reads dist/scripts/commands/manifest.json, written at build).
 */
export const commands: CommandEntry[] = [
  { name: 'preflight', load: async () => (await import('./preflight')).preflightCommand },
  { name: 'snapshot', load: async () => (await import('./snapshot')).snapshotCommand },
  { name: 'verify', load: async () => (await import('./verify')).verifyCommand },
  { name: 'loadtest', load: async () => (await import('./loadtest')).loadtestCommand },
  { name: 'analyze', load: async () => (await import('./analyze')).analyzeCommand },
  { name: 'monitor', load: async () => (await import('./monitor')).monitorCommand },
  { name: 'report', load: async () => (await import('./report')).reportCommand },
  { name: 'report-html', load: async () => (await import('./report-html')).reportHtmlCommand },
  { name: 'incident', load: async () => (await import('./incident')).incidentCommand },
  { name: 'notify', load: async () => (await import('./notify')).notifyCommand },
  { name: 'evidence', load: async () => (await import('./evidence')).evidenceCommand },
  { name: 'advise', load: async () => (await import('./advise')).adviseCommand },
  { name: 'ramp', load: async () => (await import('./ramp')).rampCommand },
  { name: 'plan', load: async () => (await import('./plan-check')).planCommand },
  { name: 'config', load: async () => (await import('./config-check')).configCommand },
  { name: 'lb', load: async () => (await import('./lb-wait')).lbCommand },
  { name: 'contract', load: async () => (await import('./contract')).contractCommand },
  { name: 'change', load: async () => (await import('./change')).changeCommand },
  { name: 'rollback-watch', load: async () => (await import('./rollback-watch')).rollbackWatchCommand },
];
