import type { Argv, CommandModule } from 'yargs';
import { listEvidenceFiles, sha256File, writeManifest } from '../lib/evidence';
import { checkEvidence } from '../lib/evidence-manifest';
import { signingKey, signManifest } from '../lib/evidence-signature';
import { printResult } from '../lib/output';
import { requireRunFolder } from '../lib/run-evidence';
import { assertValid } from '../lib/schema';
import type { EvidenceCheck } from '../types/evidence-check';

interface FolderArgs {
  folder: string;
  json: boolean;
}

interface SealArgs extends FolderArgs {
  signKey?: string;
}

interface VerifyArgs extends FolderArgs {
  allowedSigners?: string;
}

/** A run's folder: sealing or checking an empty or unrelated one would certify nothing. */
const folderOf = (folder: string): string => requireRunFolder(folder, 'evidence folder');

const folderArgs = (y: Argv): Argv<FolderArgs> =>
  y.positional('folder', { type: 'string', demandOption: true, describe: "A run's evidence folder" }).option('json', {
    type: 'boolean',
    default: false,
    describe: 'Print the result as JSON',
  }) as unknown as Argv<FolderArgs>;

const seal: CommandModule<object, SealArgs> = {
  command: 'seal <folder>',
  describe:
    'Write manifest.sha256 over every file of the folder (sha256sum -c compatible) and, with --sign-key, sign it (manifest.sha256.sig)',
  builder: (y) =>
    folderArgs(y)
      .option('sign-key', {
        type: 'string',
        describe:
          'Private SSH key that signs the manifest (ssh-keygen -Y sign -n poolgate-evidence); its public key goes in the allowed-signers file',
      })
      .example('$0 evidence seal evidence/run1', 'Seal a run at its end (hashes only)')
      .example(
        '$0 evidence seal evidence/run1 --sign-key ~/.ssh/id_ed25519',
        "Seal and sign with the operator's key",
      ) as unknown as Argv<SealArgs>,
  handler: (args) => {
    const dir = folderOf(args.folder);
    if (args.signKey !== undefined) signingKey(args.signKey);
    const manifest = writeManifest(dir);
    const signature = args.signKey !== undefined ? signManifest(dir, args.signKey) : null;
    const files = listEvidenceFiles(dir);
    const digest = sha256File(manifest);
    printResult(
      args,
      { manifest, manifest_sha256: digest, signature, files: files.length },
      () =>
        `sealed ${files.length} file(s): ${manifest} (sha256 ${digest})${signature ? `, signed: ${signature}` : ', NOT signed'}`,
    );
  },
};

const verify: CommandModule<object, VerifyArgs> = {
  command: 'verify <folder>',
  describe:
    "Check the folder against its manifest (changed, missing, added files) and the manifest's signature against an allowed-signers file (exit 1 naming each problem)",
  builder: (y) =>
    folderArgs(y)
      .option('allowed-signers', {
        type: 'string',
        describe:
          'OpenSSH allowed-signers file of the keys whose signature counts; given, an unsigned or wrongly signed folder fails',
      })
      .example(
        '$0 evidence verify evidence/run1 --allowed-signers /etc/poolgate/allowed_signers',
        'Is this still what the run wrote, and who sealed it?',
      )
      .example(
        '(cd evidence/run1 && sha256sum -c manifest.sha256)',
        'The hashes alone, without poolgate (added files not detected, the signature not checked)',
      ) as unknown as Argv<VerifyArgs>,
  handler: (args) => {
    const r = assertValid<EvidenceCheck>(
      'evidence-check',
      checkEvidence(folderOf(args.folder), args.allowedSigners),
      'evidence check',
    );
    printResult(args, r, () =>
      r.ok
        ? r.message
        : [
            `TAMPERED: the evidence is not what was sealed in ${r.manifest}`,
            ...r.changed.map((f) => `  changed    ${f}`),
            ...r.missing.map((f) => `  missing    ${f}`),
            ...r.added.map((f) => `  added      ${f}`),
            ...(r.signature.status === 'MISSING' || r.signature.status === 'INVALID'
              ? [`  signature  ${r.signature.status}: ${r.signature.detail}`]
              : []),
            ...r.after_seal.map((p) => `  after seal ${p}`),
          ].join('\n'),
    );
    if (!r.ok) process.exitCode = 1;
  },
};

export const evidenceCommand: CommandModule = {
  command: 'evidence <action>',
  describe: "Seal (and sign) a run's evidence folder, or verify it against its manifest and signature",
  builder: (y) => y.command(seal).command(verify).demandCommand(1, 'Name an action: seal or verify'),
  handler: () => undefined,
};
