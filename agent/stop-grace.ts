/** The environment variable a service's unit sets its stop grace with (systemd: `Environment=`). */
export const STOP_GRACE_ENV = 'POOLGATE_STOP_GRACE_MS';

/**
 * POOLGATE_STOP_GRACE_MS as the agent reads it when the service gives no `stopGraceMs`: unset or empty is 0 (a stop
 * the rollout drained first needs no grace), otherwise a whole number of milliseconds. Anything else is refused when
 * the agent is created: a typo read as 0 would stop an undrained instance while its load balancer still sends it
 * requests. Pure.
 */
export function stopGraceFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 0;
  const ms = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(ms)) {
    throw new TypeError(`${STOP_GRACE_ENV} must be a whole number of milliseconds (e.g. 1500), got "${value}"`);
  }
  return ms;
}
