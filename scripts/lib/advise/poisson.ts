/**
 * Busy connections at a quantile moment. With arrivals independent of each other (Poisson) and any hold-time
 * distribution, the number of connections busy at a random moment in an unbounded pool (M/G/inf) is Poisson with
 * mean L = lambda x W. So the p95 moment is the Poisson 95th percentile of L, exact by summing the distribution.
 * Real traffic is burstier than Poisson, which is what the caller's observed-peak floor and safety factor cover.
 */

/** Above this mean, exp(-mean) underflows; the normal approximation is within one connection there. */
const EXACT_LIMIT = 600;

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile ${p} must be in (0, 1)`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: number[], x: number): number => k.reduce((acc, v) => acc * x + v, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** Smallest k with P(X <= k) >= p for X ~ Poisson(mean). */
export function poissonQuantile(mean: number, p: number): number {
  if (!(mean >= 0) || !Number.isFinite(mean)) throw new RangeError(`Poisson mean ${mean} must be a finite number >= 0`);
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile ${p} must be in (0, 1)`);
  if (mean === 0) return 0;
  if (mean > EXACT_LIMIT) return Math.ceil(mean + normalQuantile(p) * Math.sqrt(mean) - 0.5);
  let pmf = Math.exp(-mean);
  let cdf = pmf;
  let k = 0;
  while (cdf < p) {
    k += 1;
    pmf *= mean / k;
    cdf += pmf;
  }
  return k;
}
