import t from 'tap';
import { evaluateSustained, type Point } from '../../../scripts/lib/judge/sustained';

const rule = { above: 1000, sustained_s: 300, min_samples: 2 };
/** One point every `step` seconds starting at 0. */
const series = (values: (number | null)[], step = 60): Point[] =>
  values.map((value, i) => ({ at_ms: i * step * 1000, value }));

t.test('a value exactly at the limit does not breach (strict >)', async (t) => {
  const r = evaluateSustained(series([1000, 1000, 1000, 1000, 1000, 1000]), rule);
  t.equal(r.fired, false);
  t.equal(r.run_samples, 0);
});

t.test('one sample over is not sustained', async (t) => {
  const r = evaluateSustained(series([10, 10, 10, 10, 10, 1001]), rule);
  t.equal(r.fired, false);
  t.equal(r.run_samples, 1);
  t.equal(r.run_span_s, 0);
});

t.test('every sample over for exactly the window fires (span is inclusive)', async (t) => {
  const r = evaluateSustained(series([10, 1001, 1001, 1001, 1001, 1001, 1001]), rule);
  t.equal(r.fired, true);
  t.equal(r.run_samples, 6);
  t.equal(r.run_span_s, 300);
});

t.test('a run one step shorter than the window does not fire', async (t) => {
  const r = evaluateSustained(series([10, 10, 1001, 1001, 1001, 1001, 1001]), rule);
  t.equal(r.run_span_s, 240);
  t.equal(r.fired, false);
});

t.test('with 5-minute sampling two consecutive breaches are 5 minutes sustained', async (t) => {
  t.equal(evaluateSustained(series([1001, 1001], 300), rule).fired, true);
  t.equal(evaluateSustained(series([1001], 300), rule).fired, false);
});

t.test('min_samples holds even when the span is long enough', async (t) => {
  const r = evaluateSustained(series([1001, 1001], 600), { ...rule, min_samples: 3 });
  t.equal(r.run_span_s, 600);
  t.equal(r.fired, false);
});

t.test('a missing sample (could not measure) breaks the run and is counted apart', async (t) => {
  const r = evaluateSustained(series([1001, 1001, 1001, null, 1001, 1001, 1001]), rule);
  t.equal(r.fired, false, 'the gap is not a breach');
  t.equal(r.run_samples, 3);
  t.equal(r.unmeasured_in_span, 1);
  const later = evaluateSustained(series([1001, 1001, 1001, null, 1001, 1001, 1001, 1001, 1001, 1001]), rule);
  t.equal(later.fired, true, 'the run restarts after the gap and fires once it alone spans the window');
  t.equal(later.run_span_s, 300);
});

t.test('a gap as the latest point: nothing fires, last is null', async (t) => {
  const r = evaluateSustained(series([1001, 1001, 1001, 1001, 1001, 1001, null]), rule);
  t.equal(r.fired, false);
  t.equal(r.last, null);
});

t.test('a recovered sample ends the run', async (t) => {
  t.equal(evaluateSustained(series([1001, 1001, 1001, 1001, 1001, 999, 1001]), rule).fired, false);
});

t.test('sustained 0 and min_samples 1 fires on the first breach; empty series never fires', async (t) => {
  t.equal(evaluateSustained(series([1001]), { above: 1000, sustained_s: 0, min_samples: 1 }).fired, true);
  t.equal(evaluateSustained([], rule).fired, false);
});

t.test('NaN and Infinity are not breaches (nothing measured is not a measurement)', async (t) => {
  t.equal(evaluateSustained(series([NaN, NaN, NaN, NaN, NaN, NaN]), rule).fired, false);
});
