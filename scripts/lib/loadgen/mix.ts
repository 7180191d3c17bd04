import { InputError } from '../errors';

/** The service endpoints the load test drives. */
export type Endpoint = 'balance' | 'accounts' | 'write';
export const ENDPOINTS: readonly Endpoint[] = ['balance', 'accounts', 'write'];

export type Mix = Record<Endpoint, number>;

export type MixSpec = Partial<Record<Endpoint | 'read', number>>;

/** `read` is shorthand for balance + accounts in equal parts; explicit keys add to it. */
export function resolveMix(spec: MixSpec): Mix {
  const read = spec.read ?? 0;
  const mix: Mix = {
    balance: (spec.balance ?? 0) + read / 2,
    accounts: (spec.accounts ?? 0) + read / 2,
    write: spec.write ?? 0,
  };
  for (const e of ENDPOINTS) {
    if (!Number.isFinite(mix[e]) || mix[e] < 0)
      throw new InputError(`mix weight of ${e} must be a number >= 0`, 'E_MIX');
  }
  if (ENDPOINTS.every((e) => mix[e] === 0)) throw new InputError('mix: at least one weight must be > 0', 'E_MIX');
  return mix;
}

/** "read=80,write=20" → { read: 80, write: 20 } (validated names and numbers). */
export function parseMixFlag(text: string): MixSpec {
  const spec: MixSpec = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(read|balance|accounts|write)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) {
      throw new InputError(
        `--mix "${part}": expected name=weight with name read, balance, accounts or write (e.g. read=80,write=20)`,
        'E_MIX',
      );
    }
    spec[m[1] as keyof MixSpec] = Number(m[2]);
  }
  if (Object.keys(spec).length === 0) throw new InputError('--mix is empty (e.g. read=80,write=20)', 'E_MIX');
  return spec;
}

/**
 * Smooth weighted round robin (nginx's): deterministic, exact proportions over every window of sum(weights)
 * picks, and evenly interleaved — so a short run gets the mix it asked for, and tests are reproducible.
 */
export class MixPicker {
  private readonly weights: number[];
  private readonly current: number[];
  private readonly total: number;

  constructor(mix: Mix) {
    this.weights = ENDPOINTS.map((e) => mix[e]);
    this.current = this.weights.map(() => 0);
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  next(): Endpoint {
    let best = 0;
    for (let i = 0; i < this.weights.length; i++) {
      this.current[i]! += this.weights[i]!;
      if (this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return ENDPOINTS[best]!;
  }
}
