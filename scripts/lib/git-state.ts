import { execFile } from 'node:child_process';

/** The inventory repo's commit and whether it has uncommitted changes (the runbook's "Git Commit"). */
export interface GitState {
  repo: string;
  commit: string | null;
  dirty: boolean | null;
  error: string | null;
}

/** One git command in `repo` (argv, no shell); rejects with git's first line of complaint. */
export function git(
  repo: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['-C', repo, ...args],
      { timeout: 10_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...opts.env } },
      (err, stdout, stderr) => {
        if (err) reject(new Error((stderr || err.message).trim().split('\n')[0]));
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function gitState(repo: string): Promise<GitState> {
  try {
    const commit = (await git(repo, ['rev-parse', 'HEAD'])).trim();
    const status = await git(repo, ['status', '--porcelain']);
    return { repo, commit, dirty: status.trim() !== '', error: null };
  } catch (err) {
    return { repo, commit: null, dirty: null, error: (err as Error).message };
  }
}
