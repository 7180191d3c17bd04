import t from 'tap';
import { MAX_HEAD_BYTES, ResponseError, ResponseParser } from '../../../scripts/lib/loadgen/response-parser';

interface Seen {
  status: number;
  body: string;
  /** Reads after which feed() said the response was complete. */
  doneAt: number[];
  reusable: boolean | null;
}

function parser(capture = true): { p: ResponseParser; seen: Seen } {
  const seen: Seen = { status: 0, body: '', doneAt: [], reusable: null };
  const p = new ResponseParser({
    onHead: (status) => {
      seen.status = status;
    },
    onBody: (buf, start, end) => {
      seen.body += buf.toString('latin1', start, end);
    },
  });
  p.expect(capture);
  return { p, seen };
}

/**
 * Feeds `wire` in the given pieces, each copied into a reused buffer that holds stale bytes past the piece's
 * end (as the shared socket read buffer does), and records where the response ended.
 */
function feedPieces(wire: string, cuts: number[], capture = true): Seen {
  const { p, seen } = parser(capture);
  const shared = Buffer.alloc(wire.length + 64, 'HTTP/1.1 200 OK\r\n\r\n');
  const bounds = [0, ...cuts, wire.length];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const piece = Buffer.from(wire.slice(bounds[k], bounds[k + 1]), 'latin1');
    if (piece.length === 0) continue;
    shared.fill('\r\n\r\n0\r\n\r\n');
    piece.copy(shared, 0);
    if (p.feed(shared, 0, piece.length)) {
      seen.doneAt.push(k);
      seen.reusable = p.lastReusable;
    }
  }
  return seen;
}

const LENGTH =
  'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\ncontent-length: 9\r\nX-Other: c\r\n\r\n{"id":42}';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n';

t.test('a Content-Length response, whole and split at every byte', async (t) => {
  const whole = feedPieces(LENGTH, []);
  t.same(whole, { status: 201, body: '{"id":42}', doneAt: [0], reusable: true });
  for (let cut = 1; cut < LENGTH.length; cut++) {
    const s = feedPieces(LENGTH, [cut]);
    if (s.status !== 201 || s.body !== '{"id":42}' || s.doneAt.join() !== '1' || s.reusable !== true) {
      t.fail(`split at ${cut}: ${JSON.stringify(s)}`);
      return;
    }
  }
  const bytewise = feedPieces(
    LENGTH,
    Array.from({ length: LENGTH.length - 1 }, (_, i) => i + 1),
  );
  t.same(
    bytewise,
    { status: 201, body: '{"id":42}', doneAt: [LENGTH.length - 1], reusable: true },
    'one byte per read',
  );
});

t.test('a chunked response with extensions and trailers, whole and split at every byte', async (t) => {
  const body = 'Wikipedia in \r\n\r\nchunks.';
  t.same(feedPieces(CHUNKED, []), { status: 200, body, doneAt: [0], reusable: true });
  for (let cut = 1; cut < CHUNKED.length; cut++) {
    const s = feedPieces(CHUNKED, [cut]);
    if (s.body !== body || s.doneAt.join() !== '1') {
      t.fail(`split at ${cut}: ${JSON.stringify(s)}`);
      return;
    }
  }
  const bytewise = feedPieces(
    CHUNKED,
    Array.from({ length: CHUNKED.length - 1 }, (_, i) => i + 1),
  );
  t.same(bytewise.body, body, 'one byte per read');
  t.same(bytewise.doneAt, [CHUNKED.length - 1], 'complete at the last byte, not before');
});

t.test('without capture no body bytes are handed over, and the end is still found', async (t) => {
  t.same(feedPieces(CHUNKED, [30, 60], false), { status: 200, body: '', doneAt: [2], reusable: true });
  t.same(feedPieces(LENGTH, [70], false), { status: 201, body: '', doneAt: [1], reusable: true });
});

t.test('framing by status: 204 and 304 have no body, 1xx is skipped for the final response', async (t) => {
  t.same(feedPieces('HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n', []), {
    status: 204,
    body: '',
    doneAt: [0],
    reusable: true,
  });
  t.same(feedPieces('HTTP/1.1 304 Not Modified\r\n\r\n', []).doneAt, [0]);
  const early = 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  t.same(feedPieces(early, []), { status: 200, body: 'ok', doneAt: [0], reusable: true });
  t.same(
    feedPieces(early, [20, 50]),
    { status: 200, body: 'ok', doneAt: [2], reusable: true },
    'split inside both heads',
  );
});

t.test('a body without length runs until the server closes', async (t) => {
  const { p, seen } = parser();
  const start = Buffer.from('HTTP/1.1 200 OK\r\n\r\nall of');
  t.notOk(p.feed(start, 0, start.length));
  t.notOk(p.feed(Buffer.from(' it'), 0, 3));
  t.ok(p.closed(), 'the close completes it');
  t.equal(p.lastReusable, false);
  t.equal(seen.body, 'all of it');
  t.equal(p.busy, false);
});

t.test('a close in the middle of any other response does not complete it', async (t) => {
  for (const [wire, upTo] of [
    [LENGTH, LENGTH.length - 1],
    [CHUNKED, CHUNKED.length - 3],
    [LENGTH, 10],
  ] as const) {
    const { p } = parser();
    p.feed(Buffer.from(wire.slice(0, upTo), 'latin1'), 0, upTo);
    t.notOk(p.closed(), `cut at ${upTo}`);
  }
  const idle = new ResponseParser({ onHead: () => undefined, onBody: () => undefined });
  t.notOk(idle.closed(), 'nothing in flight');
});

t.test('whether the connection may be reused', async (t) => {
  const reuse = (wire: string): boolean | null => feedPieces(wire, []).reusable;
  t.equal(reuse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), true);
  t.equal(reuse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'), false);
  t.equal(
    reuse('HTTP/1.1 200 OK\r\nCONNECTION: Upgrade, Close\r\nContent-Length: 0\r\n\r\n'),
    false,
    'token list, any case',
  );
  t.equal(reuse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'), false, 'HTTP/1.0 closes by default');
  t.equal(
    reuse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'),
    true,
    'unless it says keep-alive',
  );
  t.equal(
    reuse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'),
    false,
    'bytes after the response: never read as another one',
  );
  const { p } = parser();
  const hinted = Buffer.from('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n');
  t.ok(p.feed(hinted, 0, hinted.length));
  t.equal(p.keepAliveMs, 5000, "the server's keep-alive hint");
});

t.test('the transfer coding wins over Content-Length', async (t) => {
  const wire = 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n';
  t.same(feedPieces(wire, []), { status: 200, body: 'ok', doneAt: [0], reusable: true });
  const { p, seen } = parser();
  const gzip = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nokmore');
  t.notOk(p.feed(gzip, 0, gzip.length));
  t.ok(p.closed(), 'another coding: the body ends at the close');
  t.equal(seen.body, 'okmore');
});

t.test('malformed responses throw a ResponseError naming the problem', async (t) => {
  const bad = (wire: string | Buffer, re: RegExp, what: string): void => {
    const { p } = parser();
    const buf = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
    t.throws(() => p.feed(buf, 0, buf.length), re, what);
    try {
      p.feed(buf, 0, buf.length);
    } catch (err) {
      t.type(err, ResponseError);
      t.equal((err as ResponseError).code, 'POOLGATE_HTTP_PARSE');
    }
  };
  bad('SSH-2.0-OpenSSH_9.2\r\n\r\n', /not an HTTP\/1\.x status line/, 'not HTTP');
  bad('HTTP/2 200\r\n\r\n', /not an HTTP\/1\.x status line/, 'HTTP/2 preface');
  bad('HTTP/1.1 2x0 OK\r\n\r\n', /malformed status code/, 'status digits');
  bad('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid content-length/, 'negative length');
  bad(
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    /invalid content-length/,
    'conflicting lengths',
  );
  bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /invalid chunk size/, 'chunk size');
  bad(
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokk\r\n',
    /chunk data longer than its size/,
    'chunk overrun',
  );
  bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok', /not ended by CRLF/, 'bare LF');
  bad('HTTP/1.1 101 Switching Protocols\r\n\r\n', /101/, 'an upgrade nobody asked for');
  bad(Buffer.alloc(MAX_HEAD_BYTES + 1, 'a'), /response head over/, 'a head that never ends');
  const idle = new ResponseParser({ onHead: () => undefined, onBody: () => undefined });
  t.throws(() => idle.feed(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), 0, 19), /no request in flight/);
});

t.test('a head split over several reads is bounded too', async (t) => {
  const { p } = parser();
  const piece = Buffer.alloc(20 * 1024, 'x');
  p.feed(Buffer.from('HTTP/1.1 200 OK\r\nX: '), 0, 20);
  p.feed(piece, 0, piece.length);
  p.feed(piece, 0, piece.length);
  p.feed(piece, 0, piece.length);
  t.throws(() => p.feed(piece, 0, piece.length), /response head over/);
});

t.test('reset forgets a response in progress; expect starts a new one', async (t) => {
  const { p, seen } = parser();
  p.feed(Buffer.from(LENGTH.slice(0, 30), 'latin1'), 0, 30);
  t.ok(p.busy);
  p.reset();
  t.notOk(p.busy);
  p.expect(true);
  t.ok(p.feed(Buffer.from(LENGTH, 'latin1'), 0, LENGTH.length));
  t.equal(seen.body, '{"id":42}');
});
