import { labConfig } from '../lab-config';
import { printResult } from '../../scripts/lib/output';
import { collectStatus, statusTable } from './status';

/** `npm run lab:status [-- --json]`: each component and its health. Exit 0 when all are healthy, 3 otherwise. */
async function main(): Promise<void> {
  const status = await collectStatus(labConfig());
  printResult({ json: process.argv.includes('--json') }, status, () => statusTable(status));
  process.exitCode = status.healthy ? 0 : 3;
}

main().catch((err: unknown) => {
  process.stderr.write(`lab-status: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 3;
});
