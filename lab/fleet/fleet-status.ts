import { exitCodeOf } from '../../scripts/lib/errors';
import { printResult } from '../../scripts/lib/output';
import { assertValid } from '../../scripts/lib/schema';
import type { LabStatus } from '../../scripts/types/lab-status';
import { statusTable } from '../control/status';
import { fleetConfig } from './fleet-config';
import { collectFleetStatus } from './status';
import { errorText } from '../../scripts/lib/error-text';

/** `npm run fleet:status [-- --json]`: each host and part and its health. Exit 0 when all are healthy, 3 otherwise. */
async function main(): Promise<void> {
  const status = assertValid<LabStatus>('lab-status', await collectFleetStatus(fleetConfig()), 'fleet status');
  printResult({ json: process.argv.includes('--json') }, status, () => statusTable(status, 'fleet'));
  process.exitCode = status.healthy ? 0 : 3;
}

main().catch((err: unknown) => {
  process.stderr.write(`fleet-status: ${errorText(err)}\n`);
  process.exitCode = exitCodeOf(err);
});
