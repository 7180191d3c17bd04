import t from 'tap';
import { ExitCode, GateFailedError, InputError, MeasureError, exitCodeOf } from '../../scripts/lib/errors';

t.test('each error maps to its DESIGN.md exit code', async (t) => {
  t.equal(exitCodeOf(new GateFailedError('p95 over')), ExitCode.gateFailed);
  t.equal(exitCodeOf(new InputError('min > max')), ExitCode.badInput);
  t.equal(exitCodeOf(new MeasureError('target down')), ExitCode.couldNotMeasure);
});

t.test('an unknown error is "could not measure", never "passed"', async (t) => {
  t.equal(exitCodeOf(new Error('boom')), ExitCode.couldNotMeasure);
  t.equal(exitCodeOf('string thrown'), ExitCode.couldNotMeasure);
});
