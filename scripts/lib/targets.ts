import fs from 'node:fs';
import { InputError } from './errors';
import { assertValid } from './schema';
import type { Targets } from '../types/targets';

export type Target = Targets['targets'][number];

/**
 * Targets from `--target name=url` flags and/or a `--targets-file` (JSON, schemas/targets.schema.json),
 * so every command runs standalone against any fleet, not only from Ansible.
 */
export function loadTargets(flags: { target?: string[]; targetsFile?: string }): Target[] {
  const list: Target[] = [];
  if (flags.targetsFile) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(flags.targetsFile, 'utf8'));
    } catch (err) {
      throw new InputError(`cannot read targets file ${flags.targetsFile}: ${(err as Error).message}`);
    }
    list.push(...assertValid<Targets>('targets', raw, `targets file ${flags.targetsFile}`).targets);
  }
  for (const spec of flags.target ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(spec);
    if (!m) throw new InputError(`--target "${spec}" must be name=url, e.g. primary-1=http://127.0.0.21:3000`);
    list.push({ name: m[1]!, url: m[2]!.replace(/\/+$/, '') });
  }
  if (list.length === 0) throw new InputError('no targets: give --target name=url (repeatable) or --targets-file');
  assertValid<Targets>('targets', { targets: list }, 'targets');
  const seen = new Set<string>();
  for (const t of list) {
    if (seen.has(t.name)) throw new InputError(`target name "${t.name}" appears twice`);
    seen.add(t.name);
  }
  return list;
}
