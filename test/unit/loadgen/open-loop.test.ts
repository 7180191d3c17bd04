import t from 'tap';
import { OpenLoop } from '../../../scripts/lib/loadgen/open-loop';
import { ClosedLoop } from '../../../scripts/lib/loadgen/closed-loop';
import { Recorder } from '../../../scripts/lib/loadgen/recorder';
import { FakeClock, FakeTransport, GET, names } from './fakes';

async function runOpen(o: {
  rate: number;
  total: number;
  lanes: number;
  serviceMs: number;
  hardStopMs?: number;
  stall?: { from: number; to: number };
}) {
  const clock = new FakeClock();
  const recorder = new Recorder(names);
  const transport = new FakeTransport(
    o.lanes,
    clock,
    recorder,
    o.serviceMs,
    o.stall ? { from: clock.t + o.stall.from, to: clock.t + o.stall.to } : null,
  );
  const start = clock.t;
  const loop = new OpenLoop(
    { rate: o.rate, total: o.total, hardStopMs: o.hardStopMs ?? 60_000 },
    clock,
    transport,
    recorder,
    () => GET,
  );
  const done = loop.run();
  clock.advance(o.hardStopMs ?? 60_000);
  const reason = await done;
  return { reason, recorder, transport, start };
}

t.test('sends at the constant rate requests/duration, each at its intended time', async (t) => {
  const { reason, recorder, transport, start } = await runOpen({ rate: 100, total: 50, lanes: 5, serviceMs: 2 });
  t.equal(reason, 'completed');
  t.equal(recorder.sent, 50);
  t.equal(recorder.ok, 50);
  t.same(transport.sentAt.slice(0, 4), [start, start + 10, start + 20, start + 30], 'one every 10 ms at 100/s');
  t.equal(transport.sentAt[49], start + 490);
  t.equal(recorder.delayedSends, 0);
  t.equal(recorder.sendDelay.summary().max, 0.001, 'no send delay (1 µs is the histogram floor)');
  t.equal(recorder.fromIntended.summary().p99, 2, 'latency = service time when nothing waits');
});

t.test(
  'never more than `concurrency` in flight; a send that finds them busy waits and is counted delayed',
  async (t) => {
    // 2 lanes, a request every 10 ms, each takes 35 ms: the cap binds.
    const { reason, recorder, transport } = await runOpen({ rate: 100, total: 20, lanes: 2, serviceMs: 35 });
    t.equal(reason, 'completed');
    t.equal(transport.maxInFlight, 2);
    t.equal(recorder.sent, 20);
    t.equal(recorder.delayedSends, 18, 'every send after the first two found both lanes busy');
    t.ok(recorder.sendDelay.summary().max > 100, 'the backlog grows: send delay over 100 ms');
  },
);

t.test('latency from the intended time includes the wait for a free connection (coordinated omission)', async (t) => {
  const { recorder } = await runOpen({ rate: 100, total: 20, lanes: 2, serviceMs: 35 });
  const intended = recorder.fromIntended.summary();
  const fromSend = recorder.fromSend.summary();
  t.equal(fromSend.max, 35, 'from the actual send: always the 35 ms service time');
  // Two lanes serve a pair every 35 ms while pairs arrive every 20 ms: the last request (#19) is intended
  // at 190 ms, sent at 9 x 35 + 10 = 325 ms and answered at 360 ms.
  t.equal(intended.max, 360 - 190, `from the intended send: the queueing shows (${intended.max} ms)`);
});

t.test('a 1 s stall shows in p99 from the intended time but not from the actual send', async (t) => {
  // 1,000 req/s for 5 s on 200 lanes, 1 ms service time, the server frozen from 2 s to 3 s.
  const { recorder } = await runOpen({
    rate: 1000,
    total: 5000,
    lanes: 200,
    serviceMs: 1,
    stall: { from: 2000, to: 3000 },
  });
  t.equal(recorder.sent, 5000);
  const intended = recorder.fromIntended.summary();
  const fromSend = recorder.fromSend.summary();
  t.ok(intended.p99 > 900, `intended p99 ${intended.p99} ms shows the stall`);
  t.ok(intended.p95 > 500, `intended p95 ${intended.p95} ms too (a 1 s stall in 5 s is 20 % of requests)`);
  t.ok(fromSend.p95 < 2, `actual-send p95 ${fromSend.p95} ms hides it`);
  t.ok(recorder.delayedSends > 500, `sends after the 200 lanes filled are delayed (${recorder.delayedSends})`);
});

t.test('the hard stop ends the run: unsent requests are dropped, in-flight ones aborted', async (t) => {
  // 1 lane, each request takes 1 s, 10 requests at 100/s, stop after 2.5 s.
  const { reason, recorder } = await runOpen({ rate: 100, total: 10, lanes: 1, serviceMs: 1000, hardStopMs: 2500 });
  t.equal(reason, 'hard_stop');
  t.equal(recorder.sent, 3, 'sent at 0, 1 s, 2 s');
  t.equal(recorder.ok, 2);
  t.equal(recorder.abortedInFlight, 1);
  t.equal(recorder.dropped, 7);
});

t.test('closed loop: lanes send back to back until the request budget', async (t) => {
  const clock = new FakeClock();
  const recorder = new Recorder(names);
  const transport = new FakeTransport(4, clock, recorder, 10, null);
  const loop = new ClosedLoop({ total: 100, durationMs: 60_000, graceMs: 1000 }, clock, transport, recorder, () => GET);
  const done = loop.run();
  clock.advance(10_000);
  t.equal(await done, 'requests');
  t.equal(recorder.sent, 100);
  t.equal(transport.maxInFlight, 4);
  t.equal(transport.sentAt[99], clock.t - 10_000 + 240, '25 rounds of 10 ms on 4 lanes');
  t.equal(recorder.fromIntended.summary().max, 10, 'no schedule: intended = actual send');
});

t.test('closed loop: stops sending at the duration', async (t) => {
  const clock = new FakeClock();
  const recorder = new Recorder(names);
  const transport = new FakeTransport(2, clock, recorder, 10, null);
  const loop = new ClosedLoop({ total: null, durationMs: 100, graceMs: 1000 }, clock, transport, recorder, () => GET);
  const done = loop.run();
  clock.advance(5000);
  t.equal(await done, 'duration');
  t.equal(recorder.sent, 20, '2 lanes x 10 rounds in 100 ms');
});
