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

void t.test('every e2e and fault test reads HAProxy after each run it makes', async (t) => {
  const files = ['e2e', 'faults', 'ci'].flatMap((dir) => {
    const full = path.join(packageRoot, 'test', dir);
    return fs.existsSync(full)
      ? fs
          .readdirSync(full)
          .filter((f) => f.endsWith('.ts'))
          .map((f) => path.join(full, f))
      : [];
  });
  let runs = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const made = (text.match(RUN)?.length ?? 0) - (text.match(DEFINITION)?.length ?? 0);
    const looked = text.match(LOOK)?.length ?? 0;
    runs += made;
    if (made > 0)
      t.ok(looked >= made, `${path.relative(packageRoot, file)}: ${made} run(s), HAProxy read ${looked} time(s)`);
  }
  t.ok(runs >= 20, `${runs} runs found`);
});
