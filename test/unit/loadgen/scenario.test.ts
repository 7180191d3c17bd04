import path from 'node:path';
import t from 'tap';
import { SchemaError } from '../../../scripts/lib/errors';
import { ClosedLoop } from '../../../scripts/lib/loadgen/closed-loop';
import { WeightedPicker } from '../../../scripts/lib/loadgen/mix';
import { Recorder } from '../../../scripts/lib/loadgen/recorder';
import { encodeRequest, type RequestSpec } from '../../../scripts/lib/loadgen/requests';
import { checkScenario, compileScenario, loadScenario } from '../../../scripts/lib/loadgen/scenario';
import { packageRoot } from '../../../scripts/lib/paths';
import { FakeClock, FakeTransport } from './fakes';

const LEDGER = path.join(packageRoot, 'lab', 'scenarios', 'ledger.yml');
const source = { file: null, sha256: null, name: 'test' };
const one = (request: Record<string, unknown>) => checkScenario({ requests: [request] }, source);
/** The problems a scenario is refused with. */
const problems = (doc: unknown): string[] => {
  try {
    checkScenario(doc, source);
  } catch (err) {
    if (err instanceof SchemaError) return err.problems;
    throw err;
  }
  return [];
};

t.test("the lab's scenario: the ledger's mix, its writes declared, its ids captured", async (t) => {
  const s = loadScenario(LEDGER);
  t.equal(s.name, 'ledger');
  t.equal(s.file, LEDGER);
  t.match(s.sha256, /^[0-9a-f]{64}$/);
  t.same(
    s.requests.map((r) => [r.name, r.method, r.weight, r.writes, r.expect]),
    [
      ['balance', 'GET', 40, false, [200]],
      ['accounts', 'GET', 40, false, [200]],
      ['journal-entry', 'POST', 20, true, [201]],
    ],
  );
  const [balance, accounts, entry] = compileScenario(s, { host: '127.0.0.1:8080', runId: 'run-1' });
  t.same(
    [1, 2, 3].map(() => balance!.next().path),
    ['/api/accounts/1/balance', '/api/accounts/2/balance', '/api/accounts/3/balance'],
  );
  const list = accounts!.next();
  t.equal(list, accounts!.next(), 'a request without templates is one object, built once');
  t.equal(list.bytes!.toString('latin1'), 'GET /api/accounts HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n');
  const w = entry!.next();
  t.same(w.headers, ['Content-Type', 'application/json']);
  const body = JSON.parse(w.body!) as { memo: string; lines: Array<{ account_id: number; debit: string }> };
  t.equal(body.memo, 'poolgate loadtest run-1 #1');
  t.equal(body.lines[0]!.account_id, 1, 'cycle: a number, from the sequence');
  t.ok(Number.isInteger(body.lines[1]!.account_id) && body.lines[1]!.account_id >= 1);
  t.same(entry!.capture, ['id']);
  t.ok(entry!.expects(201) && !entry!.expects(200));
});

t.test('JSON scenarios too; the file name names a scenario without one', async (t) => {
  const dir = t.testdir({
    'shop.json': JSON.stringify({ requests: [{ name: 'home', method: 'GET', path: '/' }] }),
    'broken.yml': 'requests:\n  - name: a\n   method: GET\n',
    'dup.yml': 'requests: []\nrequests: []\n',
  });
  const s = loadScenario(path.join(dir, 'shop.json'));
  t.equal(s.name, 'shop');
  t.same(s.requests[0], { name: 'home', method: 'GET', path: '/', weight: 1, expect: [200], writes: false });
  t.throws(() => loadScenario(path.join(dir, 'broken.yml')), /broken\.yml does not parse/);
  t.throws(() => loadScenario(path.join(dir, 'dup.yml')), /does not parse/, 'a key given twice is refused');
  t.throws(() => loadScenario(path.join(dir, 'missing.yml')), /cannot read scenario/);
});

t.test('a bad scenario is refused, each problem naming the request and its field', async (t) => {
  const get = { name: 'list', method: 'GET', path: '/items' };
  t.same(problems({ requests: [{ ...get, weight: 0 }] }), ['requests[0] (list).weight: must be > 0']);
  t.same(problems({ requests: [{ ...get, expect: [200, 99] }] }), ['requests[0] (list).expect.1: must be >= 200']);
  t.same(problems({ requests: [{ ...get, expect: [600] }] }), ['requests[0] (list).expect.0: must be <= 599']);
  t.same(problems({ requests: [{ ...get, method: 'TRACE' }] }), [
    'requests[0] (list).method: must be equal to one of the allowed values',
  ]);
  t.same(problems({ requests: [{ ...get, wieght: 1 }] }), ['requests[0] (list): unknown key "wieght"']);
  t.same(problems({ requests: [] }), ['.requests: must NOT have fewer than 1 items']);
  t.same(problems({ requests: [get, { ...get }] }), [
    'requests[1] (list).name: "list" is already the name of requests[0]',
  ]);
  t.same(problems({ requests: [{ name: 'create', method: 'POST', path: '/items' }] }), [
    'requests[0] (create).writes: method POST changes state unless you say otherwise: declare writes: true (or writes: false for a read sent as POST)',
  ]);
  t.same(problems({ requests: [{ ...get, headers: { 'Content-Length': '3' } }] }), [
    'requests[0] (list).headers.Content-Length: the load generator sets Content-Length itself',
  ]);
  t.same(problems({ requests: [{ ...get, body: 'a', json: {} }] }), [
    'requests[0] (list): give body or json, not both',
  ]);
  t.same(problems({ requests: [{ ...get, path: '/items/{{seqq}}' }] }), [
    'requests[0] (list).path: {{seqq}}: unknown generator "seqq" (known: seq, cycle, uuid, int, pick, string, now, run_id)',
  ]);
  t.same(
    problems({
      requests: [{ name: 'e', method: 'POST', path: '/e', writes: true, json: { lines: [{ a: '{{int 9 1}}' }] } }],
    }),
    ['requests[0] (e).json.lines[0].a: {{int 9 1}}: int takes two integers MIN <= MAX, e.g. {{int 1 20}}'],
  );
  t.same(problems({ requests: [{ ...get, path: '/items/{{seq' }] }), [
    'requests[0] (list).path: unbalanced braces in "/items/{{seq": a template is {{ generator args }}',
  ]);
  t.same(problems({ requests: [{ ...get, path: '/a b' }] }), [
    'requests[0] (list).path: "/a b" holds a space or a character outside printable ASCII: percent-encode it',
  ]);
  t.match(problems({ requests: [{ ...get, path: '/{{pick a/b c d}}' }] }), []);
  t.match(problems({ requests: [{ ...get, headers: { 'X-Tag': '{{pick "x"}}' } }] }), [
    /^requests\[0\] \(list\)\.headers\.X-Tag: \{\{pick "x"\}\}: the word .* cannot go in a header/,
  ]);
  t.same(problems({ requests: [{ ...get, path: '/{{seq 3}}' }] }), [
    'requests[0] (list).path: {{seq 3}}: seq takes no arguments',
  ]);
});

/** Renders `n` requests of a one-request scenario through a closed loop of `lanes` connections. */
function sendThroughLanes(request: Record<string, unknown>, n: number, lanes: number): RequestSpec[] {
  const s = one(request);
  const [compiled] = compileScenario(s, { host: 'h:1', runId: 'r' });
  const clock = new FakeClock();
  const recorder = new Recorder(['x'], false);
  const transport = new FakeTransport(lanes, clock, recorder, 5);
  const sent: RequestSpec[] = [];
  const picker = new WeightedPicker([1]);
  const loop = new ClosedLoop({ total: n, durationMs: 60_000, graceMs: 1000 }, clock, transport, recorder, () => {
    picker.next();
    const spec = compiled!.next();
    sent.push(spec);
    return spec;
  });
  void loop.run();
  clock.advance(60_000);
  return sent;
}

t.test('seq and uuid are unique per request across every lane; one value each within a request', async (t) => {
  const sent = sendThroughLanes(
    {
      name: 'create',
      method: 'POST',
      path: '/items/{{seq}}',
      writes: true,
      headers: { 'Idempotency-Key': '{{uuid}}' },
      json: { id: '{{uuid}}', n: '{{seq}}' },
    },
    2000,
    16,
  );
  t.equal(sent.length, 2000);
  const seqs = sent.map((s) => Number(s.path.slice('/items/'.length)));
  t.equal(new Set(seqs).size, 2000, 'no sequence number twice');
  t.same([Math.min(...seqs), Math.max(...seqs)], [1, 2000]);
  const uuids = sent.map((s) => s.headers[1]!);
  t.equal(new Set(uuids).size, 2000, 'no uuid twice');
  t.ok(
    uuids.every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(u)),
    'v4',
  );
  for (const s of sent.slice(0, 50)) {
    const body = JSON.parse(s.body!) as { id: string; n: number };
    t.equal(body.id, s.headers[1], 'the body and the header carry the same uuid');
    t.equal(`/items/${body.n}`, s.path, 'and the same seq');
  }
});

t.test('int stays in its range (both ends reached), cycle wraps, pick and string draw from their sets', async (t) => {
  const sent = sendThroughLanes(
    { name: 'r', method: 'GET', path: '/r?i={{int -2 2}}&c={{cycle 5 7}}&p={{pick x y}}&s={{string 6}}' },
    3000,
    4,
  );
  const q = sent.map((s) => new URLSearchParams(s.path.slice(3)));
  const ints = q.map((p) => Number(p.get('i')));
  t.ok(
    ints.every((i) => Number.isInteger(i) && i >= -2 && i <= 2),
    'every int within -2..2',
  );
  t.same(
    [...new Set(ints)].sort((a, b) => a - b),
    [-2, -1, 0, 1, 2],
    'and each value drawn',
  );
  t.same(
    q.slice(0, 4).map((p) => p.get('c')),
    ['5', '6', '7', '5'],
  );
  t.same([...new Set(q.map((p) => p.get('p')))].sort(), ['x', 'y']);
  t.ok(q.every((p) => /^[a-z0-9]{6}$/.test(p.get('s')!)));
});

t.test('the bytes of a templated request: UTF-8 body, its length, the headers in order', async (t) => {
  const [noHost] = compileScenario(one({ name: 'n', method: 'GET', path: '/n/{{seq}}' }), { host: null, runId: 'r' });
  t.equal(noHost!.next().bytes, null, 'without a host (https: undici), no bytes');
  const [c] = compileScenario(
    one({
      name: 'note',
      method: 'PATCH',
      path: '/notes/{{seq}}',
      writes: true,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Run': '{{run_id}}' },
      body: 'é #{{seq}}',
    }),
    { host: '127.0.0.1:8080', runId: 'run-9' },
  );
  const spec = c!.next();
  t.same(spec.bytes, encodeRequest('127.0.0.1:8080', spec), 'encoded when rendered, as the transport would');
  t.equal(
    spec.bytes!.toString('utf8'),
    'PATCH /notes/1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: text/plain; charset=utf-8\r\nX-Run: run-9\r\nContent-Length: 5\r\n\r\né #1',
  );
});
