/**
 * A lab part that could not be brought up, stopped or checked. `part` names it ("postgresql", "haproxy",
 * "instance primary-1" …) so lab-up's last line says exactly what failed.
 */
export class LabError extends Error {
  readonly part: string;
  constructor(part: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LabError';
    this.part = part;
  }
}
