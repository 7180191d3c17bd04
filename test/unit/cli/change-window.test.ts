import t from 'tap';
import { judgeWindow, secondsOfDay } from '../../../scripts/lib/change-window';
import { InputError } from '../../../scripts/lib/errors';

const at = (hms: string): Date => new Date(`2026-02-01T${hms}Z`);
const runbook = { start: '02:00', end: '06:00' };

t.test('02:00:00 is inside, 06:00:00 is outside, one millisecond before each edge too', async (t) => {
  t.equal(judgeWindow(at('01:59:59.999'), runbook).inside, false);
  t.equal(judgeWindow(at('02:00:00.000'), runbook).inside, true);
  t.equal(judgeWindow(at('05:59:59.999'), runbook).inside, true);
  t.equal(judgeWindow(at('06:00:00.000'), runbook).inside, false);
});

t.test('UTC only: a local-time offset in the input does not matter', async (t) => {
  t.equal(
    judgeWindow(new Date('2026-02-01T03:30:00+02:00'), runbook).inside,
    false,
    '03:30+02:00 is 01:30 UTC: outside',
  );
  t.equal(judgeWindow(new Date('2026-02-01T05:30:00+02:00'), runbook).inside, true, '05:30+02:00 is 03:30 UTC: inside');
});

t.test('a window that wraps midnight', async (t) => {
  const w = { start: '22:00', end: '02:00' };
  t.equal(judgeWindow(at('21:59:59'), w).inside, false);
  t.equal(judgeWindow(at('22:00:00'), w).inside, true);
  t.equal(judgeWindow(at('23:59:59'), w).inside, true);
  t.equal(judgeWindow(at('00:00:00'), w).inside, true);
  t.equal(judgeWindow(at('01:59:59'), w).inside, true);
  t.equal(judgeWindow(at('02:00:00'), w).inside, false);
});

t.test('minutes until the window opens', async (t) => {
  t.equal(judgeWindow(at('01:00:00'), runbook).opens_in_min, 60);
  t.equal(judgeWindow(at('06:00:00'), runbook).opens_in_min, 20 * 60, 'after it closes: tomorrow 02:00');
  t.equal(judgeWindow(at('03:00:00'), runbook).opens_in_min, 0);
});

t.test('bad times and an empty window are bad input', async (t) => {
  t.throws(() => secondsOfDay('24:00'), InputError);
  t.throws(() => secondsOfDay('2:00'), InputError);
  t.throws(() => judgeWindow(at('03:00:00'), { start: '02:00', end: '02:00' }), InputError);
});
