import fs from 'node:fs';

/** One event per line: `{"ts":…,"level":…,"event":…,…fields}`. Callers pass facts only, never secrets. */
export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
}

/**
 * Appends JSON lines to a file synchronously: the service logs events (errors, pool events, reloads), not every
 * request, so the volume is small, and a synchronous append means no line is lost when the process exits.
 * `-` writes them to stdout instead: under systemd that is journald (whose stream socket cannot be opened by path,
 * so /dev/stdout would not do).
 */
export class JsonLog implements Logger {
  private fd: number | undefined;

  /** `file` "-" is stdout: under systemd, stdout is journald's socket, which cannot be opened by a path. */
  constructor(readonly file: string) {
    this.fd = file === '-' ? process.stdout.fd : fs.openSync(file, 'a', 0o640);
  }

  log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    if (this.fd === undefined) return;
    const line = JSON.stringify({ ts: new Date().toISOString(), level, event, ...fields });
    try {
      fs.writeSync(this.fd, `${line}\n`);
    } catch {
      // A full disk must not take the service down; the event is lost, the service keeps serving.
    }
  }

  close(): void {
    if (this.fd !== undefined && this.file !== '-') fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Error facts fit for the log: message and SQLSTATE/errno code, no stack, no connection parameters. */
export function errorFields(err: unknown): { message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? { message: err.message, code } : { message: err.message };
  }
  return { message: String(err) };
}
