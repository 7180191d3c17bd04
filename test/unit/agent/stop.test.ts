import type http from 'node:http';
import path from 'node:path';
import t from 'tap';
import { createAgent } from '../../../agent/agent';
import { poolFactoryFrom } from '../../../agent/pool-factory';
import { stopServing } from '../../../agent/stop';

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
  const dir = t.testdir({
    'pool.json': JSON.stringify({
      min: 0,
      max: 2,
      idleTimeoutMillis: 1000,
      connectionTimeoutMillis: 1000,
      acquireTimeoutMillis: 1000,
    }),
  });
  const agent = createAgent({
    config: path.join(dir, 'pool.json'),
    createPool: poolFactoryFrom({ host: '127.0.0.1', port: 1 }),
    signals: false,
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
});
