import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { resolveRunConfig } from '../../scripts/lib/loadgen/config';
import { runLoadtest } from '../../scripts/lib/loadgen/run';
import { isValid } from '../../scripts/lib/schema';
import { READ_SCENARIO } from '../unit/loadgen/fakes';

/**
 * A real HTTP server on this slot's loopback net that answers at once, except that every answer due between
 * 1 s and 2 s after the first request is held until 2 s: a 1 s freeze, as a stalled pool would cause.
 */
async function stallingServer(t: Test, host: string): Promise<{ url: string; held: () => number }> {
  let first = 0;
  let held = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = performance.now();
      if (first === 0) first = now;
      const answer = (): void => {
        res.statusCode = req.method === 'POST' ? 201 : 200;
        res.end(req.method === 'POST' ? '{"id":1}' : '{}');
      };
      const since = now - first;
      if (since >= 1000 && since < 2000) {
        held++;
        setTimeout(answer, 2000 - since);
      } else answer();
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  t.teardown(() => server.closeAllConnections());
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, held: () => held };
}

const slot = Number(process.env.POOLGATE_LAB_SLOT ?? '0');

t.test('a 1 s stall shows in p99 timed from the intended send, not in the actual-send view', async (t) => {
  const server = await stallingServer(t, `127.0.${slot}.60`);
  // 1,000 req/s for 4 s on 20 connections: the stall holds 20 requests in flight (0.5 % of 4,000, under the
  // p99) while about 1,000 are due during it (25 %), so only the intended-time view can show it.
  const cfg = resolveRunConfig({
    flags: { url: server.url, rate: 1000, duration: '4s', concurrency: 20, timeout: '5s' },
    targets: [],
    scenario: READ_SCENARIO,
  });
  const result = await runLoadtest(cfg);
  t.ok(isValid('loadtest-result', result), 'schema-valid result');
  t.equal(result.outcome.stop_reason, 'completed');
  t.equal(result.requests.sent, 4000);
  t.equal(result.requests.failed, 0);
  t.ok(server.held() >= 15, `the server held ${server.held()} requests`);
  const intended = result.latency_ms.from_intended;
  const sent = result.latency_ms.from_send;
  t.comment(
    `p99 from intended ${intended.p99} ms, from send ${sent.p99} ms; delayed sends ${result.requests.delayed_sends}`,
  );
  t.ok(intended.p99 > 800, `p99 from the intended send shows the stall (${intended.p99} ms)`);
  t.ok(intended.p95 > 400, `so does p95 (${intended.p95} ms)`);
  t.ok(sent.p99 < intended.p99 / 2, `p99 from the actual send (${sent.p99} ms) hides most of it`);
  t.ok(
    result.requests.delayed_sends > 500,
    `requests due during the stall waited for a connection (${result.requests.delayed_sends})`,
  );
  t.ok(result.send_delay_ms.max > 800, 'and their send delay says so');
  // Open loop: the requests due during the stall are sent late, then caught up, so 4,000 go out in about 4 s. A
  // closed loop would lose the stalled second (4,000 in 5 s: 800/s). ±10 % leaves room for a shared 2-core machine
  // (944/s was seen beside another tap job's lab) and still tells the two apart.
  t.ok(
    Math.abs(result.rate.achieved_send_per_s! - 1000) < 100,
    `the arrival rate held (${result.rate.achieved_send_per_s}/s)`,
  );
});

t.test('a target nobody listens on: unreachable, not passed', async (t) => {
  const cfg = resolveRunConfig({
    flags: { url: `http://127.0.${slot}.61:9`, rate: 100, duration: '500ms', concurrency: 2, timeout: '1s' },
    targets: [],
    scenario: READ_SCENARIO,
  });
  const result = await runLoadtest(cfg);
  t.equal(result.outcome.stop_reason, 'unreachable');
  t.equal(result.outcome.target_reachable, false);
  t.equal(result.requests.sent, 0);
  t.ok(isValid('loadtest-result', result));
});
