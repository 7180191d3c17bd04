import { InputError } from '../errors';

/** Request name → weight: overrides a scenario's weights (`--mix` or the plan's loadtest.mix). */
export type MixSpec = Record<string, number>;

/** "list=80,create=20" → { list: 80, create: 20 } (validated syntax; names are checked against the scenario). */
export function parseMixFlag(text: string): MixSpec {
  const spec: MixSpec = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9_-]*)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) {
      throw new InputError(
        `--mix "${part}": expected name=weight with the name of a scenario request (e.g. balance=80,journal-entry=20)`,
        'E_MIX',
      );
    }
    spec[m[1]!] = Number(m[2]);
  }
  if (Object.keys(spec).length === 0)
    throw new InputError('--mix is empty (e.g. balance=80,journal-entry=20)', 'E_MIX');
  return spec;
}

/**
 * The weights a run uses, in the scenario's order: the scenario's own, or, with a mix, the mix's for the requests
 * it names and 0 for the others (so `--mix accounts=1` sends that request alone).
 */
export function resolveWeights(requests: ReadonlyArray<{ name: string; weight: number }>, mix?: MixSpec): number[] {
  if (mix === undefined) return requests.map((r) => r.weight);
  const names = new Set(requests.map((r) => r.name));
  const unknown = Object.keys(mix).filter((n) => !names.has(n));
  if (unknown.length > 0)
    throw new InputError(
      `mix names ${unknown.map((n) => `"${n}"`).join(', ')}, not in the scenario (its requests: ${[...names].join(', ')})`,
      'E_MIX',
    );
  const weights = requests.map((r) => mix[r.name] ?? 0);
  for (const [name, w] of Object.entries(mix))
    if (!Number.isFinite(w) || w < 0) throw new InputError(`mix weight of ${name} must be a number >= 0`, 'E_MIX');
  if (weights.every((w) => w === 0)) throw new InputError('mix: at least one weight must be > 0', 'E_MIX');
  return weights;
}

/**
 * Smooth weighted round robin (nginx's): deterministic, exact proportions over every window of sum(weights)
 * picks, and evenly interleaved — so a short run gets the mix it asked for, and tests are reproducible.
 */
export class WeightedPicker {
  private readonly weights: number[];
  private readonly current: number[];
  private readonly total: number;

  constructor(weights: readonly number[]) {
    this.weights = [...weights];
    this.current = this.weights.map(() => 0);
    this.total = this.weights.reduce((a, b) => a + b, 0);
  }

  next(): number {
    let best = 0;
    for (let i = 0; i < this.weights.length; i++) {
      this.current[i]! += this.weights[i]!;
      if (this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return best;
  }
}
