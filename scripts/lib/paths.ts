import path from 'node:path';

/**
 * The package root, found from this file's location so it is right both from `scripts/lib/*.ts` (ts-node)
 * and from `dist/scripts/lib/*.js` (compiled).
 */
export const packageRoot: string = (() => {
  const parts = __dirname.split(path.sep);
  const dist = parts.lastIndexOf('dist');
  const up = dist >= 0 ? parts.slice(0, dist) : parts.slice(0, parts.lastIndexOf('scripts'));
  return up.join(path.sep) || path.sep;
})();

export const schemasDir = path.join(packageRoot, 'schemas');

/**
 * Where runs write their folders unless told otherwise: $POOLGATE_EVIDENCE_ROOT, else `evidence/` in the checkout.
 * The inventories read the same variable; the test suite sets it (test/helpers/job-slot.cjs), so its rollbacks
 * never enter the change history a later `npm run demo` reads.
 */
export const defaultEvidenceRoot = (): string =>
  process.env.POOLGATE_EVIDENCE_ROOT || path.join(packageRoot, 'evidence');
