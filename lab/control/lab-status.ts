import { labConfig } from '../lab-config';
import { printResult } from '../../scripts/lib/output';
import { assertValid } from '../../scripts/lib/schema';
import type { LabStatus } from '../../scripts/types/lab-status';
import { collectStatus, statusTable } from './status';
import { errorText } from '../../scripts/lib/error-text';

/** `npm run lab:status [-- --json]`: each component and its health. Exit 0 when all are healthy, 3 otherwise. */
async function main(): Promise<void> {
  // Validated like every machine output: tests and scripts parse it.
  const status = assertValid<LabStatus>('lab-status', await collectStatus(labConfig()), 'lab status');
  printResult({ json: process.argv.includes('--json') }, status, () => statusTable(status));
  process.exitCode = status.healthy ? 0 : 3;
}

main().catch((err: unknown) => {
  process.stderr.write(`lab-status: ${errorText(err)}\n`);
  process.exitCode = 3;
});
