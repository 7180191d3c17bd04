import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { sha256File, writeManifest } from '../../../scripts/lib/evidence';
import { checkEvidence } from '../../../scripts/lib/evidence-manifest';
import { signManifest } from '../../../scripts/lib/evidence-signature';

/**
 * Issue 16 item 9 with real OpenSSH signatures (ssh-keygen -Y): a sealed folder is signed by the operator's key and
 * checked against an allowed-signers file. Rewriting the manifest after editing a file no longer passes.
 */
interface Keys {
  operator: string;
  attacker: string;
  allowed: string;
}

function keys(dir: string): Keys {
  const make = (name: string): string => {
    const key = path.join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key]);
    return key;
  };
  const operator = make('operator');
  const attacker = make('attacker');
  const allowed = path.join(dir, 'allowed_signers');
  fs.writeFileSync(
    allowed,
    `operator@poolgate namespaces="poolgate-evidence" ${fs.readFileSync(`${operator}.pub`, 'utf8').trim()}\n`,
  );
  return { operator, attacker, allowed };
}

/** A run folder sealed (and, with a key, signed) as the playbook seals it. */
function sealedRun(parent: string, key?: string): string {
  const dir = path.join(parent, `run-${Math.random().toString(36).slice(2)}`);
  fs.mkdirSync(path.join(dir, 'incidents'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'report.json'), '{"decision":"ROLLBACK"}\n');
  fs.writeFileSync(path.join(dir, 'events.jsonl'), '{"at":"2026-02-01T02:00:00Z","host":"localhost","action":"x"}\n');
  fs.writeFileSync(path.join(dir, 'incidents', '20260201T030000Z_pool_scaling_incident.md'), '# incident\n');
  writeManifest(dir);
  if (key) signManifest(dir, key);
  return dir;
}

/** What an attacker does: change the report, then recompute the manifest so every hash matches again. */
function tamperAndRehash(dir: string): void {
  fs.writeFileSync(path.join(dir, 'report.json'), '{"decision":"SUCCESS"}\n');
  writeManifest(dir);
}

t.test('a folder signed by an allowed key verifies, and says who signed it', async (t) => {
  const root = t.testdir({});
  const k = keys(root);
  const dir = sealedRun(root, k.operator);
  t.ok(fs.existsSync(path.join(dir, 'manifest.sha256.sig')));
  const r = checkEvidence(dir, k.allowed);
  t.equal(r.verdict, 'PASS', r.message);
  t.match(r.signature, { status: 'VERIFIED', signer: 'operator@poolgate' });
  t.equal(r.manifest_sha256, sha256File(path.join(dir, 'manifest.sha256')));
  t.match(r.message, /^PASS: 3 file\(s\) match .*signed by operator@poolgate/);
});

t.test('a file changed and the manifest recomputed: the signature no longer matches, FAIL', async (t) => {
  const root = t.testdir({});
  const k = keys(root);
  const dir = sealedRun(root, k.operator);
  tamperAndRehash(dir);
  const r = checkEvidence(dir, k.allowed);
  t.same([r.changed, r.missing, r.added], [[], [], []], 'every hash matches the rewritten manifest');
  t.equal(r.verdict, 'FAIL');
  t.equal(r.signature.status, 'INVALID');
  t.match(r.message, /signature INVALID: the signature does not match the manifest/);
});

t.test('re-signed with a key the allowed signers do not trust: FAIL', async (t) => {
  const root = t.testdir({});
  const k = keys(root);
  const dir = sealedRun(root, k.operator);
  tamperAndRehash(dir);
  signManifest(dir, k.attacker);
  const r = checkEvidence(dir, k.allowed);
  t.equal(r.verdict, 'FAIL');
  t.match(r.signature, { status: 'INVALID', signer: null, detail: /not in .*allowed_signers/ });
});

t.test('unsigned, with a signer configured: FAIL as MISSING', async (t) => {
  const root = t.testdir({});
  const k = keys(root);
  const r = checkEvidence(sealedRun(root), k.allowed);
  t.equal(r.verdict, 'FAIL');
  t.match(r.signature, { status: 'MISSING', detail: /not signed/ });
});

t.test('no allowed signers given: the hashes only, and the result says the signature was not checked', async (t) => {
  const root = t.testdir({});
  const k = keys(root);
  const dir = sealedRun(root, k.operator);
  const r = checkEvidence(dir);
  t.equal(r.verdict, 'PASS');
  t.match(r.signature, { status: 'NOT_CHECKED', detail: /signed, but no allowed-signers file given/ });
  tamperAndRehash(dir);
  t.equal(checkEvidence(dir).verdict, 'PASS', 'which is why the playbook and the README give the allowed signers');
});

t.test('the sealed notification must carry this manifest digest', async (t) => {
  const root = t.testdir({});
  const k = keys(root);
  const dir = sealedRun(root, k.operator);
  const digest = sha256File(path.join(dir, 'manifest.sha256'));
  const note = (sha: string) =>
    `${JSON.stringify({ event: 'sealed', at: '2026-02-01T03:00:00.000Z', ok: true, target: null, run_id: 'r', manifest_sha256: sha, signed: true })}\n`;
  fs.writeFileSync(path.join(dir, 'seal_notifications.jsonl'), note(digest));
  t.equal(checkEvidence(dir, k.allowed).verdict, 'PASS', 'written after the seal, outside the manifest');
  fs.appendFileSync(path.join(dir, 'seal_notifications.jsonl'), note('0'.repeat(64)));
  const r = checkEvidence(dir, k.allowed);
  t.equal(r.verdict, 'FAIL');
  t.match(r.after_seal, [/carries manifest 0{64}/]);
});
