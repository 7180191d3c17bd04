import type { CommandModule } from 'yargs';
import { analyzeCommand } from './analyze';
import { adviseCommand } from './advise';
import { configCommand } from './config-check';
import { monitorCommand } from './monitor';
import { evidenceCommand } from './evidence';
import { loadtestCommand } from './loadtest';
import { lbCommand } from './lb-wait';
import { planCommand } from './plan-check';
import { preflightCommand } from './preflight';
import { rampCommand } from './ramp';
import { snapshotCommand } from './snapshot';
import { verifyCommand } from './verify';
import { reportCommand } from './report';
import { reportHtmlCommand } from './report-html';
import { notifyCommand } from './notify';
import { incidentCommand } from './incident';

/**
 * Every poolgate command, registered explicitly (no directory scanning) so start-up stays fast and the list
 * is reviewable in one place. One command module per file in this folder.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  monitorCommand,
  evidenceCommand,
  planCommand,
  configCommand,
  lbCommand,
  adviseCommand,
  preflightCommand,
  snapshotCommand,
  verifyCommand,
  reportCommand,
  reportHtmlCommand,
  notifyCommand,
  loadtestCommand,
  analyzeCommand,
  incidentCommand,
  rampCommand,
];
