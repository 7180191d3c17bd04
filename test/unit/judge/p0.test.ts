import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher } from 'undici';
import { p0Checker } from '../../../scripts/lib/monitor-run';

t.test('a P0 is signalled by a file existing', async (t) => {
  const dir = t.testdir({});
  const file = path.join(dir, 'P0');
  const check = p0Checker({ file });
  t.same(await check(), { signalled: false });
  fs.writeFileSync(file, 'db down\n');
  t.same(await check(), { signalled: true, source: `file ${file}` });
});

t.test('a P0 URL: {"p0": true} signals, false does not, anything else is could-not-measure', async (t) => {
  const previous = getGlobalDispatcher();
  const agent = new MockAgent();
  agent.disableNetConnect();
  setGlobalDispatcher(agent);
  t.teardown(async () => {
    setGlobalDispatcher(previous);
    await agent.close();
  });
  const incidents = agent.get('http://incidents.test');
  incidents.intercept({ path: '/p0', method: 'GET' }).reply(200, { p0: false });
  incidents.intercept({ path: '/p0', method: 'GET' }).reply(200, { p0: true, reason: 'payments down' });
  incidents.intercept({ path: '/p0', method: 'GET' }).reply(200, { status: 'ok' });
  incidents.intercept({ path: '/p0', method: 'GET' }).reply(503, 'down');
  const check = p0Checker({ url: 'http://incidents.test/p0' });
  t.same(await check(), { signalled: false });
  t.same(await check(), { signalled: true, source: 'url http://incidents.test/p0 (payments down)' });
  await t.rejects(check(), /does not match p0-signal/);
  await t.rejects(check(), /HTTP 503/);
});
