import type { Advice } from '../../types/advice';

export type AdviceParameters = Advice['parameters'];
export type DbFacts = Advice['database'];
export type Finding = Advice['findings'][number];
export type Severity = Advice['severity'];

/**
 * Defaults, each with its reason. The Poisson p95 already covers random fluctuation; the safety factor covers
 * traffic burstier than Poisson and some growth; the headroom keeps the max above the busiest moment actually
 * seen; 4x is where a planned max stops being "generous" and becomes a risk (HikariCP: more connections than
 * the server can run at once only moves the queue into PostgreSQL); 5 ms of acquire wait is longer than opening a
 * new connection on a LAN, so above it requests really queued for the pool.
 */
export const DEFAULT_PARAMETERS: AdviceParameters = {
  quantile: 0.95,
  safety_factor: 1.5,
  headroom: 2,
  far_above_ratio: 4,
  wait_threshold_ms: 5,
};

/** Effective spindles for the budget when not given: 1 suits an SSD-backed server (0 if fully cached). */
export const DEFAULT_SPINDLES = 1;

const RANK: Record<Severity, number> = { ok: 0, warning: 1, critical: 2 };

export function worstSeverity(findings: Finding[]): Severity {
  return findings.reduce<Severity>((worst, f) => (RANK[f.severity] > RANK[worst] ? f.severity : worst), 'ok');
}

export function severityAtLeast(actual: Severity, threshold: Severity): boolean {
  return RANK[actual] >= RANK[threshold];
}
