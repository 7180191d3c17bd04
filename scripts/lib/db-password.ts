/**
 * The monitoring role's password handed over by Ansible (poolgate.rollout.command sets POOLGATE_DB_PASSWORD in this
 * process's environment only, from the inventory's vault). Taken once at start and removed from the environment, so
 * no child process — ssh, a DB CPU command, a backup command — inherits it. A plan's password_file still wins.
 */
export const HANDED_PASSWORD_ENV = 'POOLGATE_DB_PASSWORD';

let handed: string | undefined;

export function takeHandedPassword(env: NodeJS.ProcessEnv = process.env): void {
  const value = env[HANDED_PASSWORD_ENV];
  if (value === undefined) return;
  handed = value;
  delete env[HANDED_PASSWORD_ENV];
}

export function handedPassword(): string | undefined {
  return handed;
}
