/**
 * The one error hierarchy of poolgate. Each error carries a stable `code` (for logs, JSON output and tests)
 * and the exit status the CLI maps it to. Only the CLI entry turns these into `process.exitCode`.
 */

/** DESIGN.md's exit codes: 0 passed, 1 a gate failed, 2 bad input, 3 could not measure. */
export const ExitCode = {
  passed: 0,
  gateFailed: 1,
  badInput: 2,
  couldNotMeasure: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class PoolgateError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  constructor(message: string, code: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad input or configuration: nothing was changed. */
export class InputError extends PoolgateError {
  constructor(message: string, code = 'E_INPUT', options?: { cause?: unknown }) {
    super(message, code, ExitCode.badInput, options);
  }
}

/** Input that failed JSON Schema validation; `problems` name each field and the rule it broke. */
export class SchemaError extends InputError {
  readonly problems: string[];
  constructor(what: string, problems: string[]) {
    super(`${what} is invalid:\n  - ${problems.join('\n  - ')}`, 'E_SCHEMA');
    this.problems = problems;
  }
}

/** A gate failed: the change must stop or roll back. */
export class GateFailedError extends PoolgateError {
  constructor(message: string, code = 'E_GATE', options?: { cause?: unknown }) {
    super(message, code, ExitCode.gateFailed, options);
  }
}

/** A target, the database or the load balancer could not be measured. Never the same as passed or failed. */
export class MeasureError extends PoolgateError {
  constructor(message: string, code = 'E_MEASURE', options?: { cause?: unknown }) {
    super(message, code, ExitCode.couldNotMeasure, options);
  }
}

/** Maps anything thrown to an exit code: unknown errors are "could not measure", never "passed". */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof PoolgateError ? err.exitCode : ExitCode.couldNotMeasure;
}
