import t from 'tap';
import { classifyError, httpErrorKind } from '../../../scripts/lib/loadgen/error-kind';
import { createdIdOf } from '../../../scripts/lib/loadgen/lane-outcome';
import { Recorder } from '../../../scripts/lib/loadgen/recorder';
import { RequestBytes } from '../../../scripts/lib/loadgen/request-bytes';

const coded = (code: string): Error => Object.assign(new Error(code), { code });

t.test('transport errors are classified by their stable code', async (t) => {
  t.equal(classifyError(coded('UND_ERR_HEADERS_TIMEOUT')), 'timeout');
  t.equal(classifyError(coded('UND_ERR_BODY_TIMEOUT')), 'timeout');
  t.equal(classifyError(coded('ECONNREFUSED')), 'connection');
  t.equal(classifyError(coded('ECONNRESET')), 'connection');
  t.equal(classifyError(coded('UND_ERR_SOCKET')), 'connection');
  t.equal(
    classifyError(coded('UND_ERR_CONNECT_TIMEOUT')),
    'connection',
    'no connection within the timeout is a connection failure',
  );
  t.equal(classifyError(new Error('timeout in the message only')), 'other', 'never guessed from message text');
  t.equal(classifyError(null), 'other');
  t.equal(httpErrorKind(503), 'http_503');
});

t.test('the journal entry id is read from the 201 body', async (t) => {
  t.equal(createdIdOf('{"id":42}'), 42);
  t.equal(createdIdOf('{"id":"9007199254740993"}'), '9007199254740993', 'bigint ids arrive as strings');
  t.equal(createdIdOf('{"journal_entry":{"id":7}}'), 7);
  t.equal(createdIdOf('{"ok":true}'), null);
  t.equal(createdIdOf('not json'), null);
  t.equal(createdIdOf('null'), null);
});

t.test('the recorder counts an unexpected status as an error of its kind, with its latency', async (t) => {
  const r = new Recorder();
  r.recordSend('write', 0, 0, false);
  r.recordAnswer('write', 0, 0, 12, 503, 201);
  r.recordSend('balance', 10, 15, true);
  r.recordFailure('balance', 30, 'timeout', 'UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error');
  t.equal(r.sent, 2);
  t.equal(r.failed, 2);
  t.equal(r.ok, 0);
  t.same(r.errorCounts(), { http_503: 1, timeout: 1 });
  t.equal(r.fromIntended.count, 1, 'only the answered request has a latency');
  t.equal(r.delayedSends, 1);
  t.equal(r.sendDelay.summary().max, 5);
  t.same(r.byEndpoint.write, { sent: 1, ok: 0, errors: 1 });
  t.equal(r.examples.length, 2);
});

t.test('request bytes: a GET is built once per path, a POST carries its UTF-8 length', async (t) => {
  const bytes = new RequestBytes('127.0.0.1:8080');
  const get = { endpoint: 'accounts', method: 'GET', path: '/api/accounts', body: null, expectStatus: 200 } as const;
  t.equal(bytes.of(get).toString('latin1'), 'GET /api/accounts HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n');
  t.equal(bytes.of({ ...get }), bytes.of(get), 'the same buffer for the same path');
  const post = {
    endpoint: 'write',
    method: 'POST',
    path: '/api/journal-entries',
    body: '{"memo":"€"}',
    expectStatus: 201,
  } as const;
  t.equal(
    bytes.of(post).toString('utf8'),
    'POST /api/journal-entries HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n{"memo":"€"}',
  );
  t.throws(() => bytes.of({ ...get, path: '/a b' }), /invalid request path/);
  t.throws(() => bytes.of({ ...get, path: 'api' }), /invalid request path/);
  t.throws(() => new RequestBytes('h\r\nX: 1'), /invalid host/);
});
