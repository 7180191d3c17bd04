import crypto from 'node:crypto';

/**
 * Scenario templates: `{{ generator args }}` inside a path, a header value or a body. A template is parsed once,
 * when the scenario is loaded, into static text and slots, so a request renders by string concatenation alone
 * (no regex, no JSON.stringify per request). Every generated value is ASCII without spaces, quotes or CR/LF, so
 * it is safe in a path, a header or a JSON string as it stands; only `pick`'s words come from the user, and they
 * are checked against the place they go when the template is compiled.
 */

/** The generators, in the order docs/load-test.md lists them. */
export const GENERATORS = ['seq', 'cycle', 'uuid', 'int', 'pick', 'string', 'now', 'run_id'] as const;
export type Generator = (typeof GENERATORS)[number];

/** Generators whose value is a number, so a JSON leaf holding only one of them is sent as a number. */
export const NUMERIC: ReadonlySet<Generator> = new Set(['seq', 'cycle', 'int']);

const enum Kind {
  Seq,
  Cycle,
  Uuid,
  Int,
  Pick,
  Str,
  Now,
}

type Slot =
  | { kind: Kind.Seq | Kind.Uuid | Kind.Now }
  | { kind: Kind.Cycle | Kind.Int; min: number; span: number }
  | { kind: Kind.Pick; items: string[] }
  | { kind: Kind.Str; length: number };

/** Where a template's text goes: decides which characters a `pick` word may hold. */
export type Place = 'path' | 'header' | 'body';

/** A template the scenario loader could not compile: `message` says what, the caller says where. */
export class TemplateError extends Error {}

/**
 * The values one request shares wherever it uses them: seq (and cycle, derived from it), uuid and now. Drawn
 * lazily, so a request that uses no uuid never pays for one. One instance is reused for every render.
 */
export class RequestValues {
  seq = 0;
  private uuid: string | null = null;
  private now: string | null = null;

  start(seq: number): void {
    this.seq = seq;
    this.uuid = null;
    this.now = null;
  }

  uuidValue(): string {
    this.uuid ??= crypto.randomUUID();
    return this.uuid;
  }

  nowValue(): string {
    this.now ??= new Date().toISOString();
    return this.now;
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** What a path's static text and a `pick` word in a path may hold: printable ASCII without spaces. */
const PATH_TEXT = /^[\x21-\x7e]*$/;
const HEADER_TEXT = /^[\t\x20-\x7e]*$/;
const WORD = /^[^\s{}"\\\x00-\x1f\x7f]+$/;

export class Template {
  private constructor(
    /** Static text around the slots: parts.length === slots.length + 1. */
    private readonly parts: string[],
    private readonly slots: Slot[],
  ) {}

  get isStatic(): boolean {
    return this.slots.length === 0;
  }

  /** The text of a template without slots. */
  get text(): string {
    return this.parts[0]!;
  }

  render(v: RequestValues): string {
    let s = this.parts[0]!;
    for (let i = 0; i < this.slots.length; i++) s += valueOf(this.slots[i]!, v) + this.parts[i + 1]!;
    return s;
  }

  /**
   * Parses `text`; `run_id` is a constant of the run and becomes static text here. Throws TemplateError naming
   * the template that is wrong.
   */
  static compile(text: string, place: Place, runId: string): Template {
    const parts: string[] = [];
    const slots: Slot[] = [];
    let last = 0;
    let pending = '';
    for (const m of text.matchAll(TEMPLATE)) {
      pending += text.slice(last, m.index);
      last = m.index + m[0].length;
      const words = m[1]!.split(/\s+/).filter(Boolean);
      const slot = parseSlot(m[0], words, place);
      if (slot === 'run_id') {
        pending += runId;
        continue;
      }
      parts.push(pending);
      slots.push(slot);
      pending = '';
    }
    pending += text.slice(last);
    parts.push(pending);
    for (const p of parts) {
      if (p.includes('{{') || p.includes('}}'))
        throw new TemplateError(`unbalanced braces in ${JSON.stringify(text)}: a template is {{ generator args }}`);
      if (place === 'path' && !PATH_TEXT.test(p))
        throw new TemplateError(
          `${JSON.stringify(p)} holds a space or a character outside printable ASCII: percent-encode it`,
        );
      if (place === 'header' && !HEADER_TEXT.test(p))
        throw new TemplateError(`${JSON.stringify(p)} holds a control or non-ASCII character`);
    }
    return new Template(parts, slots);
  }
}

/** The generator of a text that is exactly one template (`{{int 1 9}}`), or null. */
export function soleGenerator(text: string): string | null {
  const m = /^\{\{\s*([a-z_]+)(?:\s[^{}]*)?\}\}$/.exec(text);
  return m ? m[1]! : null;
}

function parseSlot(whole: string, words: string[], place: Place): Slot | 'run_id' {
  const [name = '', ...args] = words;
  const none = (): void => {
    if (args.length > 0) throw new TemplateError(`${whole}: ${name} takes no arguments`);
  };
  switch (name) {
    case 'seq':
      none();
      return { kind: Kind.Seq };
    case 'uuid':
      none();
      return { kind: Kind.Uuid };
    case 'now':
      none();
      return { kind: Kind.Now };
    case 'run_id':
      none();
      return 'run_id';
    case 'cycle':
    case 'int': {
      const [min, max] = range(whole, name, args);
      return { kind: name === 'int' ? Kind.Int : Kind.Cycle, min, span: max - min + 1 };
    }
    case 'string': {
      const n = Number(args[0]);
      if (args.length !== 1 || !Number.isInteger(n) || n < 1 || n > 1024)
        throw new TemplateError(`${whole}: string takes one length from 1 to 1024, e.g. {{string 12}}`);
      return { kind: Kind.Str, length: n };
    }
    case 'pick': {
      if (args.length === 0) throw new TemplateError(`${whole}: pick takes at least one word, e.g. {{pick eur usd}}`);
      for (const a of args) {
        const ok =
          WORD.test(a) && (place !== 'path' || PATH_TEXT.test(a)) && (place !== 'header' || HEADER_TEXT.test(a));
        if (!ok)
          throw new TemplateError(
            `${whole}: the word ${JSON.stringify(a)} cannot go in a ${place} as it is (no quotes, backslashes or braces${place === 'path' ? '; percent-encode anything outside printable ASCII' : ''})`,
          );
      }
      return { kind: Kind.Pick, items: args };
    }
    default:
      throw new TemplateError(`${whole}: unknown generator "${name}" (known: ${GENERATORS.join(', ')})`);
  }
}

function range(whole: string, name: string, args: string[]): [number, number] {
  const [min, max] = args.map(Number);
  if (
    args.length !== 2 ||
    !Number.isSafeInteger(min) ||
    !Number.isSafeInteger(max) ||
    min! > max! ||
    max! - min! >= Number.MAX_SAFE_INTEGER
  )
    throw new TemplateError(`${whole}: ${name} takes two integers MIN <= MAX, e.g. {{${name} 1 20}}`);
  return [min!, max!];
}

function valueOf(s: Slot, v: RequestValues): string {
  switch (s.kind) {
    case Kind.Seq:
      return String(v.seq);
    case Kind.Cycle:
      return String(s.min + ((v.seq - 1) % s.span));
    case Kind.Uuid:
      return v.uuidValue();
    case Kind.Int:
      return String(s.min + Math.floor(Math.random() * s.span));
    case Kind.Pick:
      return s.items[Math.floor(Math.random() * s.items.length)]!;
    case Kind.Str: {
      let out = '';
      for (let i = 0; i < s.length; i++) out += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
      return out;
    }
    case Kind.Now:
      return v.nowValue();
  }
}
