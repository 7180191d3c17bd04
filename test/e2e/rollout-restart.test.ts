import t from 'tap';
import { changeUnderTraffic } from './rollout-change';

// A whole rollout on a shared 2-core machine takes minutes: more than the suite's default per-file timeout.
t.setTimeout(1_200_000);

// The runbook's Option A: a rolling restart, standbys first, primaries behind drained HAProxy servers.
void t.test('pool change by rolling restart under traffic', (tt) => changeUnderTraffic(tt, 'restart', false));
