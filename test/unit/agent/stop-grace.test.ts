import t from 'tap';
import { STOP_GRACE_ENV, stopGraceFrom } from '../../../agent/stop-grace';
import { agentOnClosedPort } from './agent-fixture';

t.test('unset or empty is no grace; a whole number of ms is taken as it is', async (t) => {
  t.equal(stopGraceFrom(undefined), 0);
  t.equal(stopGraceFrom(''), 0);
  t.equal(stopGraceFrom('0'), 0);
  t.equal(stopGraceFrom('1500'), 1500);
  t.equal(stopGraceFrom(' 1500 '), 1500);
});

t.test('anything else is refused, naming the variable and the value', async (t) => {
  for (const bad of ['1.5s', '1500ms', '-1', '1.5', 'abc', '1e3', '99999999999999999999']) {
    t.throws(
      () => stopGraceFrom(bad),
      {
        name: 'TypeError',
        message: `POOLGATE_STOP_GRACE_MS must be a whole number of milliseconds (e.g. 1500), got "${bad}"`,
      },
      bad,
    );
  }
});

t.test("the agent takes its grace from the unit's environment unless the service gives one", async (t) => {
  const saved = process.env[STOP_GRACE_ENV];
  t.teardown(() => {
    if (saved === undefined) delete process.env[STOP_GRACE_ENV];
    else process.env[STOP_GRACE_ENV] = saved;
  });
  /** The grace a graceful stop served, as its service_closing event says. */
  const graceOf = async (stopGraceMs?: number): Promise<unknown> => {
    let grace: unknown;
    const log = {
      log: (_level: string, event: string, fields: Record<string, unknown> = {}) => {
        if (event === 'service_closing') grace = fields.grace_ms;
      },
    };
    const agent = agentOnClosedPort(t, 2, log, stopGraceMs);
    await agent.start();
    await agent.stop();
    return grace;
  };
  process.env[STOP_GRACE_ENV] = '200';
  t.equal(await graceOf(), 200, 'POOLGATE_STOP_GRACE_MS=200: a 200 ms grace');
  t.equal(await graceOf(50), 50, 'stopGraceMs given: it wins');
  delete process.env[STOP_GRACE_ENV];
  t.equal(await graceOf(), 0, 'neither: no grace');
  process.env[STOP_GRACE_ENV] = '1.5s';
  t.throws(
    () => agentOnClosedPort(t, 2),
    {
      name: 'TypeError',
      message: 'POOLGATE_STOP_GRACE_MS must be a whole number of milliseconds (e.g. 1500), got "1.5s"',
    },
    'a malformed value refuses the agent',
  );
});
