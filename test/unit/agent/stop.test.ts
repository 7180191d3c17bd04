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
  const events: Array<{ event: string; at: number; fields: Record<string, unknown> }> = [];
  const agent = agentOnClosedPort(t, 2, {
    log: (_level, event, fields = {}) => void events.push({ event, at: Date.now(), fields }),
  });
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
  const stops = events.filter((e) => e.event.startsWith('service_sto') || e.event === 'service_closing');
  t.same(
    stops.map((e) => e.event),
    ['service_stopping', 'service_closing', 'service_stopped'],
    'the log tells when the stop began, when the grace ended and when it was done',
  );
  const closing = stops[1]!;
  t.same(closing.fields, { grace_ms: 300, in_flight: 0 }, 'the grace it served and what was still in flight');
  t.ok(closing.at - stops[0]!.at >= 290 && closing.at <= closedAt()!, 'logged when the grace ended, before any close');
});
