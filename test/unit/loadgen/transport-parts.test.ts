import t from 'tap';
import { classifyError, httpErrorKind } from '../../../scripts/lib/loadgen/error-kind';
import { Recorder } from '../../../scripts/lib/loadgen/recorder';
import { captureOf } from '../../../scripts/lib/loadgen/scenario';

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

t.test("a request's capture reads its dotted JSON field from the answer", async (t) => {
  t.equal(captureOf('{"id":42}', ['id']), 42);
  t.equal(captureOf('{"id":"9007199254740993"}', ['id']), '9007199254740993', 'bigint ids arrive as strings');
  t.equal(captureOf('{"journal_entry":{"id":7}}', ['journal_entry', 'id']), 7);
  t.equal(captureOf('{"items":[{"id":"a"}]}', ['items', '0', 'id']), 'a', 'an array index is a path segment');
  t.equal(captureOf('{"ok":true}', ['id']), null);
  t.equal(captureOf('{"id":""}', ['id']), null, 'an empty string is no id');
  t.equal(captureOf('not json', ['id']), null);
  t.equal(captureOf('null', ['id']), null);
});

t.test('the recorder counts an unexpected status as an error of its kind, with its latency', async (t) => {
  const r = new Recorder(['balance', 'journal-entry']);
  r.recordSend(1, 0, 0, false);
  r.recordAnswer(1, 0, 0, 12, 503, false);
  r.recordSend(0, 10, 15, true);
  r.recordFailure(0, 30, 'timeout', 'UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error');
  t.equal(r.sent, 2);
  t.equal(r.failed, 2);
  t.equal(r.ok, 0);
  t.same(r.errorCounts(), { http_503: 1, timeout: 1 });
  t.equal(r.fromIntended.count, 1, 'only the answered request has a latency');
  t.equal(r.delayedSends, 1);
  t.equal(r.sendDelay.summary().max, 5);
  t.same(r.byRequest[1], { sent: 1, ok: 0, errors: 1 });
  t.same(r.examples, ['journal-entry: HTTP 503', 'balance: UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error']);
});
