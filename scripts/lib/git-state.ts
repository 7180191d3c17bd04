import { execFile } from 'node:child_process';

/** The inventory repo's commit and whether it has uncommitted changes (the runbook's "Git Commit"). */
export interface GitState {
  repo: string;
  commit: string | null;
  dirty: boolean | null;
  error: string | null;
}

function git(repo: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', repo, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error((stderr || err.message).trim().split('\n')[0]));
      else resolve(stdout);
    });
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
