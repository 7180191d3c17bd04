import fs from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { listEvidenceFiles, writeManifest } from '../lib/evidence';
import { checkManifest } from '../lib/evidence-manifest';
import { printResult } from '../lib/output';
import { assertValid } from '../lib/schema';
import type { EvidenceCheck } from '../types/evidence-check';

interface FolderArgs {
  folder: string;
  json: boolean;
}

function folderOf(folder: string): string {
  const dir = path.resolve(folder);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new InputError(`evidence folder ${folder} does not exist`);
  return dir;
}

const folderArgs = (y: Argv): Argv<FolderArgs> =>
  y.positional('folder', { type: 'string', demandOption: true, describe: "A run's evidence folder" }).option('json', {
    type: 'boolean',
    default: false,
    describe: 'Print the result as JSON',
  }) as unknown as Argv<FolderArgs>;

const seal: CommandModule<object, FolderArgs> = {
  command: 'seal <folder>',
  describe: 'Write manifest.sha256 over every file of the folder (sha256sum -c compatible)',
  builder: (y) => folderArgs(y).example('$0 evidence seal evidence/run1', 'Seal a run at its end'),
  handler: (args) => {
    const dir = folderOf(args.folder);
    const manifest = writeManifest(dir);
    const files = listEvidenceFiles(dir);
    printResult(args, { manifest, files: files.length }, () => `sealed ${files.length} file(s): ${manifest}`);
  },
};

const verify: CommandModule<object, FolderArgs> = {
  command: 'verify <folder>',
  describe: 'Check the folder against its manifest: changed, missing and added files (exit 1 naming each)',
  builder: (y) =>
    folderArgs(y)
      .example('$0 evidence verify evidence/run1', 'Is this still what the run wrote?')
      .example(
        '(cd evidence/run1 && sha256sum -c manifest.sha256)',
        'The same check without poolgate (added files not detected)',
      ),
  handler: (args) => {
    const r = assertValid<EvidenceCheck>('evidence-check', checkManifest(folderOf(args.folder)), 'evidence check');
    printResult(args, r, () =>
      r.ok
        ? `OK: ${r.checked} file(s) match ${r.manifest}`
        : [
            `TAMPERED: the evidence is not what was sealed in ${r.manifest}`,
            ...r.changed.map((f) => `  changed  ${f}`),
            ...r.missing.map((f) => `  missing  ${f}`),
            ...r.added.map((f) => `  added    ${f}`),
          ].join('\n'),
    );
    if (!r.ok) process.exitCode = 1;
  },
};

export const evidenceCommand: CommandModule = {
  command: 'evidence <action>',
  describe: "Seal a run's evidence folder, or verify it against its manifest",
  builder: (y) => y.command(seal).command(verify).demandCommand(1, 'Name an action: seal or verify'),
  handler: () => undefined,
};
