import t from 'tap';
import { changeUnderTraffic } from './rollout-change';

// A whole rollout on a shared 2-core machine takes minutes: more than the suite's default per-file timeout.
t.setTimeout(1_200_000);

// SIGHUP hot reload under traffic, then the same run again: a no-op that says so.
void t.test('pool change by SIGHUP under traffic, then again as a no-op', (tt) =>
  changeUnderTraffic(tt, 'sighup', true),
);
