import { EventEmitter } from 'node:events';
import type http from 'node:http';
import t from 'tap';
import { ServiceCounters } from '../../../agent/metrics';
import { LATENCY_SAMPLES_PER_S, RequestMeter } from '../../../agent/request-meter';

/** The part of a ServerResponse the meter reads: its status, whether it finished, and its 'close'. */
class FakeResponse extends EventEmitter {
  statusCode = 200;
  writableFinished = false;
  finish(status: number): void {
    this.statusCode = status;
    this.writableFinished = true;
    this.emit('close');
  }
  abandon(): void {
    this.emit('close');
  }
}

/**
 * `perS` requests a second for `seconds`, each answered 5 ms after it began (status from `statusOf`), on a fake
 * clock the meter and the counters share.
 */
function traffic(perS: number, seconds: number, statusOf: (i: number) => number = () => 200) {
  let now = 0;
  const counters = new ServiceCounters(60_000, () => now);
  const meter = new RequestMeter(counters);
  const n = perS * seconds;
  for (let i = 0; i < n; i += 1) {
    now = (i * 1000) / perS;
    const res = new FakeResponse();
    meter.begin(res as unknown as http.ServerResponse);
    now += 5;
    res.finish(statusOf(i));
  }
  return { counters, meter, n, now: () => now };
}

t.test('below the sampling rate every request is counted and measured', async (t) => {
  const { counters, meter, n } = traffic(500, 3, (i) => (i % 100 === 0 ? 503 : 200));
  t.equal(counters.requestsTotal, n);
  t.equal(counters.requestErrors, n / 100, 'every 5xx counted');
  t.equal(counters.inFlight, 0);
  t.equal(meter.weight, 1);
  t.equal(counters.latency.summary().count, n, 'every latency in the window');
  t.equal(counters.latencyHistogram.count, n);
  t.equal(counters.latencyHistogram.sum, n * 5);
});

t.test(
  'above it counts stay exact while latencies are sampled, each weighing the requests it stands for',
  async (t) => {
    const perS = 20 * LATENCY_SAMPLES_PER_S;
    const { counters, meter, n } = traffic(perS, 5, (i) => (i % 1000 === 0 ? 500 : 200));
    t.equal(counters.requestsTotal, n, 'every request counted');
    t.equal(counters.requestErrors, n / 1000, 'every 5xx counted, measured or not');
    t.equal(counters.inFlight, 0);
    t.equal(meter.weight, 20, 'one request in 20 measured at 20x the sampling rate');
    const measured = counters.latency.summary();
    // The first second is measured whole, the next four at one in 20.
    t.ok(
      measured.count >= perS + 3.9 * LATENCY_SAMPLES_PER_S && measured.count <= perS + 4.1 * LATENCY_SAMPLES_PER_S,
      `window holds ${measured.count} samples`,
    );
    t.equal(measured.p99, 5);
    const h = counters.latencyHistogram;
    t.ok(
      Math.abs(h.count - n) <= 20,
      `the histogram's weighted count ${h.count} is the request count ${n} within one weight`,
    );
    t.equal(h.sum, h.count * 5);
  },
);

t.test('when traffic falls, sampling returns to every request', async (t) => {
  let now = 0;
  const counters = new ServiceCounters(60_000, () => now);
  const meter = new RequestMeter(counters);
  const run = (perS: number, seconds: number): void => {
    const from = now;
    for (let i = 0; i < perS * seconds; i += 1) {
      now = from + (i * 1000) / perS;
      const res = new FakeResponse();
      meter.begin(res as unknown as http.ServerResponse);
      res.finish(200);
    }
    now = from + seconds * 1000;
  };
  run(10 * LATENCY_SAMPLES_PER_S, 3);
  t.equal(meter.weight, 10);
  run(100, 3);
  t.equal(meter.weight, 1, 'back to measuring every request within seconds of the drop');
});

t.test('a response closed before it finished is an error, and leaves nothing in flight', async (t) => {
  const counters = new ServiceCounters(60_000, () => 0);
  const meter = new RequestMeter(counters);
  const open = new FakeResponse();
  meter.begin(open as unknown as http.ServerResponse);
  t.equal(counters.inFlight, 1, 'in flight while unanswered');
  open.abandon();
  t.same(
    { total: counters.requestsTotal, errors: counters.requestErrors, inFlight: counters.inFlight },
    { total: 1, errors: 1, inFlight: 0 },
  );
});
