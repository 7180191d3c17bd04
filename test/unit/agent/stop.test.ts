import type http from 'node:http';
import t from 'tap';
import { stopServing } from '../../../agent/stop';
import { agentOnClosedPort } from './agent-fixture';

/** A server that records when the stop closed it (no socket: the stop's order is what is tested). */
function recordingServer(): { server: http.Server; closedAt: () => number | undefined } {
  let closedAt: number | undefined;
  const server = {
    close(cb: () => void) {
      closedAt = Date.now();
      cb();
    },
    closeIdleConnections() {
      closedAt ??= Date.now();
    },
  } as unknown as http.Server;
  return { server, closedAt: () => closedAt };
}

t.test('a graceful stop serves through its grace, /health draining, before it closes anything', async (t) => {
  const agent = agentOnClosedPort(t, 2);
  await agent.start();
  const { server, closedAt } = recordingServer();
  const started = Date.now();
  const stopping = stopServing(agent, {
    signal: 'SIGTERM',
    servers: [server],
    deadlineMs: 5000,
    graceMs: 300,
    closePools: () => Promise.resolve(),
    onStop: undefined,
    exit: false,
  });
  t.equal(agent.lifecycle, 'draining', '/health answers draining at once');
  t.equal(closedAt(), undefined, 'nothing closed at once');
  await stopping;
  t.ok(closedAt()! - started >= 290, `closed after the grace (${closedAt()! - started} ms)`);
});
