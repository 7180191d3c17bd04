import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { git } from './git-state';
import type { PoolConfig } from '../types/pool-config';

/**
 * Which commit carried the change (the runbook's "Git Commit: [RECORD COMMIT HASH]", and the one its rollback step
 * "git revert [COMMIT_HASH]" names). The run records `git_commit`, the inventory repository's HEAD when it starts:
 * that is only the change's commit when the last commit made it. Here the inventory file that defines
 * `pool_scaling_to` is found, and its history walked for the newest commit that set the value the run deploys.
 * A value not committed (the file differs from HEAD), a value given as an extra var, or no git checkout: no commit
 * carries the change, and `why` says so.
 */
export const CHANGE_VAR = 'pool_scaling_to';

export interface ChangeLocation {
  /** The git checkout's top folder (null: not a git checkout). */
  repo: string | null;
  /** The inventory file that defines pool_scaling_to with the run's value. */
  file: string | null;
  path_in_repo: string | null;
  head: string | null;
  change_commit: string | null;
  subject: string | null;
  why: string | null;
}

/** Key order does not matter; every value is a plain number. */
export function samePool(a: unknown, b: unknown): boolean {
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k])
  );
}

/** pool_scaling_to as a YAML (or JSON) text defines it; undefined when absent or unreadable. */
export function changeValueIn(text: string): unknown {
  if (text.startsWith('$ANSIBLE_VAULT')) return undefined;
  try {
    const doc: unknown = parse(text);
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>)[CHANGE_VAR] : undefined;
  } catch {
    return undefined;
  }
}

/** Every variables file of an inventory folder (group_vars and host_vars, their sub-folders too). */
export function inventoryVarFiles(inventoryDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      // Ansible reads group_vars/<name> with .yml, .yaml, .json or no extension
      else if (e.isFile() && !e.name.startsWith('.') && ['', '.yml', '.yaml', '.json'].includes(path.extname(e.name)))
        out.push(full);
    }
  };
  walk(path.join(inventoryDir, 'group_vars'));
  walk(path.join(inventoryDir, 'host_vars'));
  return out.sort();
}

async function valueAt(repo: string, commit: string, rel: string): Promise<unknown> {
  try {
    return changeValueIn(await git(repo, ['show', `${commit}:${rel}`]));
  } catch {
    return undefined;
  }
}

export async function locateChange(inventoryDir: string, to: PoolConfig, maxCommits = 500): Promise<ChangeLocation> {
  const none = (why: string, more: Partial<ChangeLocation> = {}): ChangeLocation => ({
    repo: null,
    file: null,
    path_in_repo: null,
    head: null,
    change_commit: null,
    subject: null,
    why,
    ...more,
  });
  const defining = inventoryVarFiles(inventoryDir).filter((f) =>
    samePool(changeValueIn(fs.readFileSync(f, 'utf8')), to),
  );
  if (defining.length === 0)
    return none(
      `no variables file of ${inventoryDir} defines ${CHANGE_VAR} = ${JSON.stringify(to)} (given as an extra var?)`,
    );
  const file = defining[0]!;
  let repo: string;
  try {
    repo = (await git(path.dirname(file), ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    return none(`${file} is not in a git checkout`, { file });
  }
  const rel = path.relative(repo, fs.realpathSync(file));
  const head = (await git(repo, ['rev-parse', 'HEAD'])).trim();
  const found = { repo, file, path_in_repo: rel, head };
  if (!samePool(await valueAt(repo, 'HEAD', rel), to))
    return none(`${CHANGE_VAR} in ${rel} is not committed: the file differs from HEAD ${head.slice(0, 12)}`, found);
  const log = await git(repo, ['log', '--format=%H%x09%s', '-n', String(maxCommits), '--', rel]);
  for (const line of log.split('\n').filter(Boolean)) {
    const [commit, ...subject] = line.split('\t');
    if (!samePool(await valueAt(repo, commit!, rel), to)) continue;
    if (samePool(await valueAt(repo, `${commit}^`, rel), to)) continue;
    return { ...found, change_commit: commit!, subject: subject.join('\t'), why: null };
  }
  return none(`no commit in the last ${maxCommits} of ${rel} sets ${CHANGE_VAR} to the run's value`, found);
}
