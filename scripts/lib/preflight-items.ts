import type { BackupFinding } from './backup-age';
import type { CapacityResult } from './capacity';
import type { WindowFit, WindowJudgement } from './change-window';
import { atMost, below, ms, noLatencyWindow, pct, unknown, type Item } from './checklist';
import type { InstanceSample } from './metrics-sampler';
import type { BlockedSession, PrimaryReplica, ReplicaSelf, Transaction } from './pg-probes';
import { isIdleInTransaction } from './pg-probes';
import { checkPoolChange } from './pool-change';
import type { PoolChange } from '../types/pool-change';
import type { PreflightConfig } from '../types/preflight-config';
import { notMeasured } from './verdict';

/**
 * Pure: the preflight checklist's items from what was measured. Each item says what was measured, the rule,
 * the verdict, and (when not PASS) what to do next.
 */
export type DbThresholds = NonNullable<PreflightConfig['database']>;

export function poolChangeItem(change: PoolChange): Item {
  const problems = checkPoolChange(change);
  const errors = problems.filter((p) => p.severity === 'error');
  const verdict = errors.length > 0 ? 'FAIL' : problems.length > 0 ? 'WARN' : 'PASS';
  const measured = `max ${change.from.max}→${change.to.max}, min ${change.from.min}→${change.to.min}`;
  const item: Item = {
    id: 'pool_change',
    item: 'pool change valid',
    verdict,
    measured,
    value: null,
    threshold: 'min ≤ max, acquire ≥ connection timeout, steps in order',
  };
  if (problems.length > 0) item.detail = problems.map((p) => `${p.severity}: ${p.message}`).join('; ');
  return item;
}

/**
 * The change window holds for the whole run: the run must start inside it and its expected length (sample windows,
 * load test, monitoring, per-target allowance, one rollback with its watch) must end before it closes. An override
 * {reason, by} turns a refusal into a recorded WARN.
 */
export function changeWindowItem(
  w: WindowJudgement,
  fit: WindowFit,
  length: string,
  override?: { reason: string; by: string },
): Item {
  const hhmm = (iso: string | null): string => (iso ? `${iso.slice(11, 16)} UTC` : '?');
  const base = {
    id: 'change_window',
    item: 'change window (whole run)',
    measured: `starts ${w.now}, ends by ${hhmm(fit.ends_at)}`,
    value: fit.run_length_s,
    threshold: `inside ${w.window}`,
  };
  if (fit.fits) return { ...base, verdict: 'PASS' };
  const nextOpen = `the next window opens ${fit.next_opens_at.slice(0, 16).replace('T', ' ')} UTC`;
  const why = !w.inside
    ? `outside the window (opens in ${w.opens_in_min} min): ${nextOpen}`
    : fit.run_length_s > fit.window_s
      ? `the run needs up to ${length}, longer than the whole window: no start fits. Shorten the monitoring or the load test`
      : `the run needs up to ${length}: started now it would end at ${hhmm(fit.ends_at)}, after the window closes at ${hhmm(fit.closes_at)}; ${nextOpen}`;
  if (override) return { ...base, verdict: 'WARN', detail: `${why}; overridden by ${override.by}: ${override.reason}` };
  return {
    ...base,
    verdict: 'FAIL',
    detail: `${why}. Wait, or record an override {reason, by} in plan.preflight.change_window.override`,
  };
}

export function instanceItems(samples: InstanceSample[], maxErrorRate: number, maxP95: number): Item[] {
  const out: Item[] = [];
  for (const s of samples) {
    const er = { id: `error_rate:${s.name}`, item: `error rate ${s.name}`, threshold: `< ${pct(maxErrorRate)}` };
    const p95 = { id: `p95:${s.name}`, item: `p95 latency ${s.name}`, threshold: `< ${maxP95} ms` };
    if (s.error || !s.rates || !s.second) {
      const why = s.error ?? 'no sample';
      out.push({ ...er, verdict: 'COULD_NOT_MEASURE', measured: notMeasured(), value: null, detail: why });
      out.push({ ...p95, verdict: 'COULD_NOT_MEASURE', measured: notMeasured(), value: null, detail: why });
      continue;
    }
    const r = s.rates;
    if (!r.usable)
      out.push({
        ...er,
        verdict: 'COULD_NOT_MEASURE',
        measured: notMeasured(),
        value: null,
        detail: `${r.reason ?? 'interval not usable'}; run again`,
      });
    else if (r.error_rate === null)
      out.push({
        ...er,
        verdict: 'WARN',
        measured: 'no requests',
        value: null,
        detail: `no traffic in the ${r.interval_s.toFixed(1)} s window: nothing to judge`,
      });
    else
      out.push({
        ...er,
        verdict: below(r.error_rate, maxErrorRate),
        measured: `${pct(r.error_rate)} (${r.errors}/${r.requests})`,
        value: r.error_rate,
      });
    const lat = s.second.latency;
    if (lat.count === 0) out.push(noLatencyWindow(p95, 'nothing to judge'));
    else out.push({ ...p95, verdict: below(lat.p95, maxP95), measured: ms(lat.p95), value: lat.p95 });
  }
  return out;
}

export function blockedItem(blocked: BlockedSession[], max: number): Item {
  const item: Item = {
    id: 'blocked_sessions',
    item: 'blocked sessions',
    verdict: atMost(blocked.length, max),
    measured: String(blocked.length),
    value: blocked.length,
    threshold: `≤ ${max}`,
  };
  if (item.verdict === 'FAIL') {
    item.detail = blocked
      .slice(0, 5)
      .map(
        (b) =>
          `pid ${b.pid} (${b.application_name || '?'}) waits ${b.waiting_s.toFixed(0)} s on ${b.blocked_by.join(',')}`,
      )
      .join('; ');
  }
  return item;
}

export function transactionItems(tx: Transaction[], maxLongS: number, maxIdleS: number): Item[] {
  const oldest = tx.reduce<Transaction | null>((o, t) => (o === null || t.xact_age_s > o.xact_age_s ? t : o), null);
  const idle = tx.filter((t) => isIdleInTransaction(t.state));
  const worstIdle = idle.reduce<Transaction | null>(
    (o, t) => (o === null || t.state_age_s > o.state_age_s ? t : o),
    null,
  );
  const longAge = oldest?.xact_age_s ?? 0;
  const idleAge = worstIdle?.state_age_s ?? 0;
  const long: Item = {
    id: 'long_transactions',
    item: 'longest transaction',
    verdict: atMost(longAge, maxLongS),
    measured: `${longAge.toFixed(1)} s`,
    value: longAge,
    threshold: `≤ ${maxLongS} s`,
  };
  if (long.verdict === 'FAIL' && oldest)
    long.detail = `pid ${oldest.pid} (${oldest.application_name || '?'}, ${oldest.state}) open ${oldest.xact_age_s.toFixed(0)} s: let it finish or end it (pg_cancel_backend / pg_terminate_backend)`;
  const idleItem: Item = {
    id: 'idle_in_transaction',
    item: 'idle in transaction',
    verdict: atMost(idleAge, maxIdleS),
    measured: `${idle.length} sessions, longest ${idleAge.toFixed(1)} s`,
    value: idleAge,
    threshold: `≤ ${maxIdleS} s`,
  };
  if (idleItem.verdict === 'FAIL' && worstIdle)
    idleItem.detail = `pid ${worstIdle.pid} (${worstIdle.application_name || '?'}) "${worstIdle.state}" for ${worstIdle.state_age_s.toFixed(0)} s: it holds locks and snapshots; fix the client or terminate it`;
  return [long, idleItem];
}

export function replicationItems(
  replicas: PrimaryReplica[],
  probes: { name: string; error: string | null; self?: ReplicaSelf }[],
  cfg: DbThresholds,
): Item[] {
  const maxB = cfg.max_replication_lag_bytes!;
  const maxS = cfg.max_replication_lag_s!;
  const expect = cfg.expect_replicas!;
  const out: Item[] = [];
  const threshold = `≤ ${maxB} B and ≤ ${maxS} s`;
  if (expect > 0 || replicas.length > 0) {
    out.push({
      id: 'replicas_connected',
      item: 'replicas streaming',
      verdict: replicas.filter((r) => r.state === 'streaming').length >= expect ? 'PASS' : 'FAIL',
      measured: `${replicas.filter((r) => r.state === 'streaming').length} of ${replicas.length} connected`,
      value: replicas.length,
      threshold: `≥ ${expect}`,
      ...(replicas.length < expect ? { detail: 'a replica is missing: find out why before changing anything' } : {}),
    });
  } else {
    out.push({
      id: 'replication',
      item: 'replication lag',
      verdict: 'PASS',
      measured: 'no replicas',
      value: 0,
      threshold,
    });
  }
  for (const r of replicas) {
    const bytes = r.lag_bytes ?? 0;
    const secs = r.replay_lag_s ?? 0;
    const ok = bytes <= maxB && secs <= maxS;
    out.push({
      id: `replication_lag:${r.application_name || r.client_addr || '?'}`,
      item: `replication lag ${r.application_name || r.client_addr || '?'}`,
      verdict: ok ? 'PASS' : 'FAIL',
      measured: `${Math.round(bytes)} B, ${secs.toFixed(1)} s`,
      value: bytes,
      threshold,
      ...(ok ? {} : { detail: `replica ${r.state} is behind: wait for it to catch up (is replay paused?)` }),
    });
  }
  for (const p of probes) {
    const id = `replica:${p.name}`;
    const item = `replica ${p.name}`;
    if (p.error || !p.self) {
      out.push(unknown(id, item, threshold, p.error ?? 'no answer'));
      continue;
    }
    const bytes = p.self.lag_bytes ?? 0;
    const secs = p.self.lag_s ?? 0;
    const ok = !p.self.paused && bytes <= maxB && secs <= maxS;
    out.push({
      id,
      item,
      verdict: ok ? 'PASS' : 'FAIL',
      measured: `${Math.round(bytes)} B, ${secs.toFixed(1)} s${p.self.paused ? ', replay PAUSED' : ''}`,
      value: bytes,
      threshold: `${threshold}, not paused`,
      ...(ok
        ? {}
        : {
            detail: p.self.paused
              ? 'replay is paused: SELECT pg_wal_replay_resume() on the replica'
              : 'replica is behind',
          }),
    });
  }
  return out;
}

export function capacityItems(r: CapacityResult, otherSource: 'configured' | 'measured now'): Item[] {
  const out: Item[] = [];
  const detail = r.fits
    ? otherSource === 'measured now'
      ? 'other clients counted as connected now, not at their peak: set plan.preflight.capacity.other_clients_peak'
      : undefined
    : `worst step "${r.worst.step}" needs ${r.worst.demand} of ${r.usable} usable slots (short by ${r.shortfall}): ${r.advice}`;
  out.push({
    id: 'capacity',
    item: 'connection capacity (worst step)',
    verdict: r.fits ? (otherSource === 'measured now' ? 'WARN' : 'PASS') : 'FAIL',
    measured: `${r.worst.demand} at "${r.worst.step}"`,
    value: r.worst.demand,
    threshold: `≤ ${r.usable} usable`,
    ...(detail ? { detail } : {}),
  });
  const limitItem = (id: string, item: string, worst: number, limit: number, fits: boolean, setting: string): Item => ({
    id,
    item,
    verdict: fits ? 'PASS' : 'FAIL',
    measured: `${worst}`,
    value: worst,
    threshold: `≤ ${limit} (${setting})`,
    ...(fits ? {} : { detail: r.advice ?? '' }),
  });
  if (r.role_limit)
    out.push(
      limitItem(
        'capacity_role',
        'app role connection limit',
        r.role_limit.worst_app,
        r.role_limit.limit,
        r.role_limit.fits,
        'rolconnlimit',
      ),
    );
  if (r.db_limit)
    out.push(
      limitItem(
        'capacity_db',
        'database connection limit',
        r.db_limit.worst,
        r.db_limit.limit,
        r.db_limit.fits,
        'datconnlimit',
      ),
    );
  return out;
}

/**
 * Backup age: strictly younger than max_age_h (the runbook's "< 24 hours"). WAL archiving alone (pg_stat_archiver)
 * is at best a WARN: it proves segments reach the archive, not that a base backup exists to replay them onto.
 */
export function backupItem(f: BackupFinding, now: Date, maxAgeH: number): { item: Item; age_h: number | null } {
  const base = { id: 'backup_age', item: `last backup (${f.source})`, threshold: `< ${maxAgeH} h` };
  if (f.newest_at === null)
    return {
      item: {
        ...base,
        verdict: 'FAIL',
        measured: 'no backup found',
        value: null,
        detail: `${f.detail}: take a backup first`,
      },
      age_h: null,
    };
  const age = (now.getTime() - Date.parse(f.newest_at)) / 3_600_000;
  const item: Item = {
    ...base,
    verdict: below(age, maxAgeH),
    measured: `${age.toFixed(1)} h ago (${f.newest_at})`,
    value: age,
  };
  if (f.problem) {
    item.verdict = 'FAIL';
    item.detail = f.problem;
  } else if (item.verdict === 'FAIL') item.detail = `${f.detail}: take a fresh backup`;
  else if (f.source === 'pg_stat_archiver') {
    item.verdict = 'WARN';
    item.detail =
      'WAL archiving works, but the last archived WAL segment is not a base backup: a restore needs one. Set ' +
      'preflight.backup.source to your backup tool (pgbackrest, wal_g, barman, pg_basebackup)';
  }
  return { item, age_h: age };
}

export function onCallItem(onCall: { name: string; response_minutes: number } | undefined, maxMinutes: number): Item {
  const base = { id: 'on_call', item: 'on-call engineer', threshold: `named, responds ≤ ${maxMinutes} min` };
  if (!onCall)
    return {
      ...base,
      verdict: 'FAIL',
      measured: 'not named',
      value: null,
      detail: 'set plan.preflight.attestations.on_call = {name, response_minutes}',
    };
  const ok = onCall.response_minutes <= maxMinutes;
  return {
    ...base,
    verdict: ok ? 'PASS' : 'FAIL',
    measured: `${onCall.name}, ${onCall.response_minutes} min`,
    value: onCall.response_minutes,
    ...(ok ? {} : { detail: 'find an on-call engineer who can respond in time' }),
  };
}
