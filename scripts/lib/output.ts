/**
 * How a command answers: `--json` prints one JSON document on stdout for machines (Ansible parses it);
 * otherwise short aligned lines for a person. Progress always goes to stderr, and only on a terminal.
 */
export interface OutputOptions {
  json: boolean;
}

export function printResult(opts: OutputOptions, json: unknown, human: () => string): void {
  if (opts.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${line}`);
}

export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}

/** Rows of cells as aligned columns. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}
