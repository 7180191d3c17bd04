import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../../scripts/lib/paths';

// Issue 16: a run that left a primary drained went unseen, because the next test's restoreBaseline set every server
// ready again before anything looked. Every e2e and fault test file therefore reads HAProxy's state after each run it
// makes: assertLbReady (all UP and READY), or lbAdminStates where the run must leave servers drained (a lost control
// node, an incomplete rollback) and the test says which; assertManualRollback reads it for a rollback.yml run.
const RUN = /\b(runPlaybook|startPlaybook|runRampCli)\(/g;
const DEFINITION = /\bfunction (runPlaybook|startPlaybook|runRampCli)\(/g;
const LOOK = /\b(assertLbReady|lbAdminStates|assertManualRollback)\(/g;
// Issue 16 too: a write HAProxy resent would be a duplicate row no request count shows. Traffic that writes (every
// generator here does) is checked row by row: assertWritesExactlyOnce, or assertTraffic which calls it. The helper
// files that build the generators are left out: the tests that call them are counted.
const SEND = /(?<![.\w])(trafficUntil|steadyTraffic|openLoopTraffic|ordersTraffic|watch)\(/g;
const SEND_DEFINITION = /\bfunction (trafficUntil|steadyTraffic|openLoopTraffic|ordersTraffic|watch)\(/g;
const CHECK_WRITES = /(?<![.\w])(assertWritesExactlyOnce|assertTraffic)\(/g;

const testFiles = (): string[] =>
  ['e2e', 'faults', 'ci'].flatMap((dir) => {
    const full = path.join(packageRoot, 'test', dir);
    return fs.existsSync(full)
      ? fs
          .readdirSync(full)
          .filter((f) => f.endsWith('.ts'))
          .map((f) => path.join(full, f))
      : [];
  });

void t.test('every e2e and fault test reads HAProxy after each run it makes', async (t) => {
  let runs = 0;
  for (const file of testFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const made = (text.match(RUN)?.length ?? 0) - (text.match(DEFINITION)?.length ?? 0);
    const looked = text.match(LOOK)?.length ?? 0;
    runs += made;
    if (made > 0)
      t.ok(looked >= made, `${path.relative(packageRoot, file)}: ${made} run(s), HAProxy read ${looked} time(s)`);
  }
  t.ok(runs >= 20, `${runs} runs found`);
});

void t.test(
  'every e2e and fault test that sends traffic checks each write is in the database exactly once',
  async (t) => {
    let sent = 0;
    for (const file of testFiles().filter((f) => !f.endsWith('-helpers.ts'))) {
      const text = fs.readFileSync(file, 'utf8');
      const made = (text.match(SEND)?.length ?? 0) - (text.match(SEND_DEFINITION)?.length ?? 0);
      const checked = text.match(CHECK_WRITES)?.length ?? 0;
      sent += made;
      if (made > 0)
        t.ok(
          checked >= made,
          `${path.relative(packageRoot, file)}: ${made} traffic run(s), writes checked ${checked} time(s)`,
        );
    }
    t.ok(sent >= 15, `${sent} traffic runs found`);
  },
);
