import t from 'tap';
import { formatDurationMs, formatDurationS, parseDurationMs, parseDurationS } from '../../scripts/lib/duration';
import { InputError } from '../../scripts/lib/errors';

t.test('one rule: the text carries its unit, or it is refused naming the input', async (t) => {
  t.equal(parseDurationMs('10m'), 600_000);
  t.equal(parseDurationMs('30s'), 30_000);
  t.equal(parseDurationMs('500ms'), 500);
  t.equal(parseDurationMs('1h'), 3_600_000);
  t.equal(parseDurationMs('1m30s'), 90_000);
  t.equal(parseDurationMs('1.5s'), 1500);
  t.equal(parseDurationS('5m'), 300, 'the same rule, in seconds');
  t.equal(parseDurationS('500ms'), 0.5);
  for (const bad of ['10', '60', '', '10 m', 'm', '-5s', '5d', 'five minutes', 10, 0]) {
    t.throws(() => parseDurationMs(bad, '--duration'), InputError, `rejects ${JSON.stringify(bad)}`);
    t.throws(() => parseDurationS(bad, '--duration'), InputError, `rejects ${JSON.stringify(bad)} in seconds too`);
  }
  t.throws(() => parseDurationS('10', '--duration'), /--duration "10" needs a unit, e\.g\. 500ms, 30s, 10m/);
  t.throws(() => parseDurationMs(10, '--duration'), { code: 'E_DURATION' }, 'a number from a config file is no better');
});

t.test('zero is a duration only where it means something (a trigger that fires on the first breach)', async (t) => {
  t.throws(() => parseDurationS('0s', '--window'), /--window "0s" must be longer than zero/);
  t.equal(parseDurationS('0s', '--sustained', { allowZero: true }), 0);
});

t.test('as a person writes it', async (t) => {
  t.equal(formatDurationMs(600_000), '10m');
  t.equal(formatDurationMs(5_400_000), '90m', 'whole hours only as hours');
  t.equal(formatDurationMs(3_600_000), '1h');
  t.equal(formatDurationMs(1500), '1.5s');
  t.equal(formatDurationMs(250), '250ms');
  t.equal(formatDurationS(3600), '1h');
  t.equal(formatDurationS(90), '90s');
  t.equal(formatDurationS(0.5), '500ms');
});
