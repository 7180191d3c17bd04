import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { changeValueIn, locateChange } from '../../../scripts/lib/change-commit';
import { prepareRevert, withChangeValues } from '../../../scripts/lib/revert-prepare';
import { isValid, problemsOf } from '../../../scripts/lib/schema';

const FROM = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const TO = { ...FROM, min: 20, max: 200 };

const changeYml = (to: typeof FROM, extra = ''): string =>
  [
    '---',
    '# The change itself, as data.',
    'pool_scaling_from:',
    ...Object.entries(FROM).map(([k, v]) => `  ${k}: ${v}`),
    'pool_scaling_to:',
    ...Object.entries(to).map(([k, v]) => `  ${k}: ${v}${k === 'max' ? '   # the runbook: 4x' : ''}`),
    'pool_scaling_apply_method: sighup',
    extra,
  ].join('\n');

/** A git repository holding an inventory: the change committed in its own commit, then an unrelated one on top. */
function repo(t: Test): { dir: string; inv: string; git: (...a: string[]) => string; changeCommit: string } {
  const dir = t.testdir({
    inventory: { lab: { group_vars: { all: { 'change.yml': changeYml(FROM) } } } },
    'README.md': 'x\n',
  });
  const git = (...a: string[]): string =>
    execFileSync('git', ['-C', dir, ...a], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'T',
        GIT_AUTHOR_EMAIL: 't@example.test',
        GIT_COMMITTER_NAME: 'T',
        GIT_COMMITTER_EMAIL: 't@example.test',
      },
    }).toString();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'The inventory at the old values');
  fs.writeFileSync(path.join(dir, 'inventory/lab/group_vars/all/change.yml'), changeYml(TO));
  git('commit', '-q', '-am', 'Scale the pool 50 -> 200');
  const changeCommit = git('rev-parse', 'HEAD').trim();
  fs.writeFileSync(path.join(dir, 'README.md'), 'y\n');
  git('commit', '-q', '-am', 'Docs');
  return { dir, inv: path.join(dir, 'inventory', 'lab'), git, changeCommit };
}

t.test('locate: the commit that set pool_scaling_to, not HEAD', async (t) => {
  const r = repo(t);
  const loc = await locateChange(r.inv, TO);
  t.equal(loc.change_commit, r.changeCommit);
  t.equal(loc.subject, 'Scale the pool 50 -> 200');
  t.not(loc.head, r.changeCommit, 'HEAD (what git_commit records) is a later, unrelated commit');
  t.equal(loc.path_in_repo, 'inventory/lab/group_vars/all/change.yml');
  t.match((await locateChange(r.inv, { ...TO, max: 300 })).why, /no variables file .* defines pool_scaling_to/);
  const edited = { ...TO, max: 300 };
  fs.writeFileSync(path.join(r.inv, 'group_vars/all/change.yml'), changeYml(edited));
  const dirty = await locateChange(r.inv, edited);
  t.equal(dirty.change_commit, null);
  t.match(dirty.why, /is not committed: the file differs from HEAD/, 'an uncommitted value: no commit carries it');
});

t.test('revert: a commit on a new branch sets pool_scaling_to back; nothing else moves', async (t) => {
  const r = repo(t);
  const head = r.git('rev-parse', 'HEAD').trim();
  const before = fs.readFileSync(path.join(r.inv, 'group_vars/all/change.yml'), 'utf8');
  const res = await prepareRevert({
    inventoryDir: r.inv,
    runId: 'run-1',
    from: FROM,
    to: TO,
    reason: 'p95 regressed',
    operator: 'Ana',
  });
  t.ok(isValid('revert-result', res), problemsOf('revert-result', res).join('; '));
  t.equal(res.status, 'prepared');
  t.equal(res.branch, 'poolgate/revert-run-1');
  t.equal(res.change_commit, r.changeCommit);
  t.same(
    res.publish,
    [`git -C ${r.dir} merge --ff-only poolgate/revert-run-1`],
    'no remote: a local merge publishes it',
  );
  t.equal(r.git('rev-parse', 'HEAD').trim(), head, 'HEAD did not move');
  t.equal(r.git('rev-parse', '--abbrev-ref', 'HEAD').trim(), 'main', 'still on main');
  t.equal(r.git('status', '--porcelain'), '', 'working tree and index untouched');
  t.equal(fs.readFileSync(path.join(r.inv, 'group_vars/all/change.yml'), 'utf8'), before);
  t.equal(r.git('rev-parse', `${res.commit}^`).trim(), head, 'made on HEAD');
  t.same(r.git('diff', '--name-only', head, res.commit!).trim().split('\n'), [
    'inventory/lab/group_vars/all/change.yml',
  ]);
  const after = r.git('show', `${res.commit}:inventory/lab/group_vars/all/change.yml`);
  t.same(changeValueIn(after), FROM, 'pool_scaling_to = the rolled-back values');
  t.match(after, /max: 50 +# the runbook: 4x/, 'the line keeps its comment');
  t.match(after, /# The change itself, as data\./);
  const msg = r.git('log', '-1', '--format=%B', res.commit!);
  t.match(
    msg,
    new RegExp(
      `rolled back the change of commit ${r.changeCommit.slice(0, 12)} \\("Scale the pool 50 -> 200"\\): p95 regressed`,
    ),
  );
  t.match(msg, /not pushed/);
  r.git('merge', '-q', '--ff-only', res.branch!);
  t.same(
    changeValueIn(fs.readFileSync(path.join(r.inv, 'group_vars/all/change.yml'), 'utf8')),
    FROM,
    'published: the repo agrees',
  );
  const again = await prepareRevert({
    inventoryDir: r.inv,
    runId: 'run-2',
    from: FROM,
    to: TO,
    reason: 'x',
    operator: 'Ana',
  });
  t.equal(again.status, 'not_possible', 'the value is no longer in the inventory');
  t.match(again.why, /already sets pool_scaling_to to the rolled-back values/);
});

t.test('revert says clearly when it cannot: dirty tree, not a git checkout, branch taken', async (t) => {
  const r = repo(t);
  fs.appendFileSync(path.join(r.inv, 'group_vars/all/change.yml'), '# an uncommitted edit\n');
  const dirty = await prepareRevert({
    inventoryDir: r.inv,
    runId: 'r',
    from: FROM,
    to: TO,
    reason: 'x',
    operator: 'A',
  });
  t.same([dirty.status, dirty.branch], ['not_possible', null]);
  t.match(dirty.why, /^dirty tree: inventory\/lab\/group_vars\/all\/change\.yml has uncommitted changes/);
  r.git('checkout', '-q', '--', '.');
  r.git('branch', 'poolgate/revert-r');
  t.match(
    (await prepareRevert({ inventoryDir: r.inv, runId: 'r', from: FROM, to: TO, reason: 'x', operator: 'A' })).why,
    /branch poolgate\/revert-r already exists/,
  );

  // outside any git checkout (t.testdir lives in this repository's own)
  const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-nogit-'));
  t.teardown(() => fs.rmSync(plain, { recursive: true, force: true }));
  fs.mkdirSync(path.join(plain, 'lab/group_vars/all'), { recursive: true });
  fs.writeFileSync(path.join(plain, 'lab/group_vars/all/change.yml'), changeYml(TO));
  const none = await prepareRevert({
    inventoryDir: path.join(plain, 'lab'),
    runId: 'r',
    from: FROM,
    to: TO,
    reason: 'x',
    operator: 'A',
  });
  t.equal(none.status, 'not_possible');
  t.match(none.why, /^not a git checkout/);
});

t.test(
  'the YAML rewrite keeps everything but the values (a comment keeps its words, one space before it)',
  async (t) => {
    const text = changeYml(TO, 'pool_scaling_steps: []  # none\n');
    const out = withChangeValues(text, FROM);
    t.same(changeValueIn(out), FROM);
    const rest = (s: string): string[] =>
      s
        .split('\n')
        .filter((l) => !/^ {2}(min|max):/.test(l))
        .map((l) => l.replace(/\s+#/, ' #'));
    t.same(rest(out), rest(text));
  },
);
