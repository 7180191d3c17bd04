import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isScalar, parseDocument } from 'yaml';
import {
  CHANGE_VAR,
  changeValueIn,
  inventoryVarFiles,
  locateChange,
  samePool,
  type ChangeLocation,
} from './change-commit';
import { git } from './git-state';
import type { PoolConfig } from '../types/pool-config';
import type { RevertResult } from '../types/revert-result';

/**
 * The runbook's rollback step 1, "git revert [COMMIT_HASH]", after poolgate restored the fleet from its backups:
 * the inventory still says `pool_scaling_to` = the new values while every host runs `pool_scaling_from`. This
 * prepares the commit that makes them agree, a commit on HEAD that sets `pool_scaling_to` back to the rolled-back
 * values in the file that defines it (its other lines and comments kept), on a new branch
 * `poolgate/revert-<run-id>`. It is built without touching the working tree, the index or the checked-out branch
 * (a temporary index and `git commit-tree`), and it is never pushed: the operator publishes it, or not.
 *
 * Setting the values rather than `git revert <commit>`: the commit that carried the change may have carried other
 * lines too, or later commits may have touched the file; what must hold after the rollback is exactly
 * "pool_scaling_to = what the fleet runs". The commit that carried the change is named in the message.
 */
export interface RevertInput {
  inventoryDir: string;
  runId: string;
  from: PoolConfig;
  to: PoolConfig;
  reason: string;
  operator: string;
  /** Branch name (default poolgate/revert-<run-id>). */
  branch?: string;
}

const cannot = (why: string, loc: Partial<ChangeLocation>, to: PoolConfig, from: PoolConfig): RevertResult => ({
  status: 'not_possible',
  why,
  repo: loc.repo ?? null,
  file: loc.file ?? null,
  change_commit: loc.change_commit ?? null,
  head: loc.head ?? null,
  branch: null,
  commit: null,
  publish: [],
  values: { from, to },
});

/** The file's text with pool_scaling_to set to `values`, key by key so each line's comment stays. */
export function withChangeValues(text: string, values: PoolConfig): string {
  const doc = parseDocument(text);
  for (const [k, v] of Object.entries(values)) {
    const node = doc.getIn([CHANGE_VAR, k], true);
    // a scalar keeps its comments when only its value changes
    if (isScalar(node)) node.value = v;
    else doc.setIn([CHANGE_VAR, k], v);
  }
  return doc.toString();
}

async function publishCommands(repo: string, branch: string): Promise<string[]> {
  const remotes = (await git(repo, ['remote']).catch(() => ''))
    .split('\n')
    .map((r) => r.trim())
    .filter(Boolean);
  const upstream = (
    await git(repo, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']).catch(() => '')
  ).trim();
  const remote = upstream.includes('/') ? upstream.split('/')[0]! : remotes.includes('origin') ? 'origin' : remotes[0];
  return [...(remote ? [`git -C ${repo} push ${remote} ${branch}`] : []), `git -C ${repo} merge --ff-only ${branch}`];
}

export async function prepareRevert(input: RevertInput): Promise<RevertResult> {
  const { from, to } = input;
  const branch = input.branch ?? `poolgate/revert-${input.runId}`;
  const loc = await locateChange(input.inventoryDir, to);
  if (!loc.file) {
    const reverted = inventoryVarFiles(input.inventoryDir).find((f) =>
      samePool(changeValueIn(fs.readFileSync(f, 'utf8')), from),
    );
    return reverted
      ? cannot(`${reverted} already sets ${CHANGE_VAR} to the rolled-back values: commit that file`, loc, to, from)
      : cannot(`${loc.why}: nothing to revert`, loc, to, from);
  }
  if (!loc.repo || !loc.head || !loc.path_in_repo)
    return cannot(
      `not a git checkout (${loc.why}): set ${CHANGE_VAR} to ${JSON.stringify(from)} by hand`,
      loc,
      to,
      from,
    );
  const rel = loc.path_in_repo;
  const headText = await git(loc.repo, ['show', `HEAD:${rel}`]).catch(() => null);
  if (headText === null || fs.readFileSync(loc.file, 'utf8') !== headText)
    return cannot(
      `dirty tree: ${rel} has uncommitted changes (or is not committed); commit or discard them, then set ${CHANGE_VAR} to ${JSON.stringify(from)}`,
      loc,
      to,
      from,
    );
  if (samePool(changeValueIn(headText), from))
    return {
      ...cannot('', loc, to, from),
      status: 'already_agrees',
      why: `${rel} already sets ${CHANGE_VAR} to the rolled-back values`,
    };
  const existing = await git(loc.repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).catch(() => '');
  if (existing.trim())
    return cannot(
      `branch ${branch} already exists (${existing.trim().slice(0, 12)}): remove it or name another`,
      loc,
      to,
      from,
    );

  const text = withChangeValues(headText, from);
  if (!samePool(changeValueIn(text), from))
    return cannot(`${rel}: ${CHANGE_VAR} could not be rewritten (templated values?)`, loc, to, from);
  const changeNote = loc.change_commit
    ? `the change of commit ${loc.change_commit.slice(0, 12)} ("${loc.subject}")`
    : `the change (the commit that carried it was not found: ${loc.why})`;
  const message = [
    `Revert ${CHANGE_VAR} to the values the fleet runs after rollback ${input.runId}`,
    '',
    `Run ${input.runId} rolled back ${changeNote}: ${input.reason}`,
    `Every instance runs pool_scaling_from again (max ${from.max}, min ${from.min}); this sets ${CHANGE_VAR} in`,
    `${rel} to the same values, so the inventory and the fleet agree and the next run changes nothing.`,
    '',
    `Prepared by poolgate for ${input.operator}; not pushed.`,
    '',
  ].join('\n');

  const mode = (await git(loc.repo, ['ls-tree', 'HEAD', '--', rel])).split(/\s/)[0] || '100644';
  const blob = (await git(loc.repo, ['hash-object', '-w', '--stdin'], { input: text })).trim();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-revert-'));
  try {
    // A temporary index: the operator's index and working tree are never touched.
    const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
    await git(loc.repo, ['read-tree', 'HEAD'], { env });
    await git(loc.repo, ['update-index', '--cacheinfo', `${mode},${blob},${rel}`], { env });
    const tree = (await git(loc.repo, ['write-tree'], { env })).trim();
    const who = (await git(loc.repo, ['config', 'user.email']).catch(() => '')).trim()
      ? {}
      : {
          GIT_AUTHOR_NAME: `poolgate for ${input.operator}`,
          GIT_AUTHOR_EMAIL: 'poolgate@localhost',
          GIT_COMMITTER_NAME: `poolgate for ${input.operator}`,
          GIT_COMMITTER_EMAIL: 'poolgate@localhost',
        };
    const commit = (
      await git(loc.repo, ['commit-tree', tree, '-p', loc.head, '-F', '-'], { env: who, input: message })
    ).trim();
    await git(loc.repo, ['branch', branch, commit]);
    return {
      status: 'prepared',
      why: null,
      repo: loc.repo,
      file: loc.file,
      change_commit: loc.change_commit,
      head: loc.head,
      branch,
      commit,
      publish: await publishCommands(loc.repo, branch),
      values: { from, to },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
