import path from 'node:path';
import type { Test } from 'tap';
import { createAgent, type PoolAgent } from '../../../agent/agent';
import type { Logger } from '../../../agent/json-log';
import { poolFactoryFrom } from '../../../agent/pool-factory';

/**
 * An agent whose pools point at a closed port (min 0: nothing connects until asked), without signal handlers: for
 * the agent's own order of events, no database needed.
 */
export function agentOnClosedPort(t: Test, max: number, log?: Logger, stopGraceMs?: number): PoolAgent {
  const dir = t.testdir({
    'pool.json': JSON.stringify({
      min: 0,
      max,
      idleTimeoutMillis: 1000,
      connectionTimeoutMillis: 1000,
      acquireTimeoutMillis: 1000,
    }),
  });
  return createAgent({
    config: path.join(dir, 'pool.json'),
    createPool: poolFactoryFrom({ host: '127.0.0.1', port: 1 }),
    signals: false,
    stopDeadlineMs: 1000,
    ...(log ? { log } : {}),
    ...(stopGraceMs !== undefined ? { stopGraceMs } : {}),
  });
}
