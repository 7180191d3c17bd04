import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../lib/paths';
import { commands, type AnyCommand } from './index';

/** What `poolgate --help` shows of each command without loading it. */
export interface ManifestEntry {
  name: string;
  command: string;
  describe: string;
}

/** Beside the compiled commands, so a stale build's manifest never describes a newer tree's commands. */
export const MANIFEST_FILE = path.join(packageRoot, 'dist', 'scripts', 'commands', 'manifest.json');

export function describeOf(m: AnyCommand): string {
  return typeof m.describe === 'string' ? m.describe : '';
}

export function commandOf(m: AnyCommand, name: string): string {
  const c = Array.isArray(m.command) ? m.command[0] : m.command;
  return typeof c === 'string' ? c : name;
}

/** The manifest written at build time, or null (a development tree that was not built with `npm run build`). */
export function readManifest(): ManifestEntry[] | null {
  try {
    const list = JSON.parse(fs.readFileSync(MANIFEST_FILE, 'utf8')) as ManifestEntry[];
    const names = new Set(list.map((e) => e.name));
    // A stale manifest (a command added since the build) is ignored rather than trusted.
    return commands.every((c) => names.has(c.name)) ? list : null;
  } catch {
    return null;
  }
}

/** Loads every command once and records its command string and description (run by `npm run build`). */
export async function writeManifest(): Promise<ManifestEntry[]> {
  const list: ManifestEntry[] = [];
  for (const entry of commands) {
    const m = await entry.load();
    list.push({ name: entry.name, command: commandOf(m, entry.name), describe: describeOf(m) });
  }
  fs.writeFileSync(MANIFEST_FILE, `${JSON.stringify(list, null, 2)}\n`);
  return list;
}

if (require.main === module) {
  writeManifest().then(
    (list) => process.stdout.write(`wrote ${list.length} commands to ${MANIFEST_FILE}\n`),
    (err: unknown) => {
      process.stderr.write(`cannot write the command manifest: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
