import fs from 'node:fs';
import path from 'node:path';
import { LabError } from '../control/lab-error';
import { run } from '../control/proc';
import type { FleetHost } from './fleet-config';

/**
 * A machine's root file system: an overlay whose lower layer is the cached image (shared, never written) and whose
 * upper layer holds everything the machine changed. Mounting takes no time and no copy (a full copy of the image
 * per machine costs seconds and half a gigabyte each); the bastion provisions a machine by writing into the
 * mounted root, as a deploy tool would write onto a host's disk.
 */

/** Mount points as the kernel lists them (mountinfo's fifth field; spaces and the like octal-escaped). */
export function mountPoints(mountinfo = '/proc/self/mountinfo'): string[] {
  return fs
    .readFileSync(mountinfo, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export function isMounted(dir: string): boolean {
  return mountPoints().includes(dir);
}

/** Every mount at or below `dir` (what fleet:down must leave empty). */
export function mountsUnder(dir: string): string[] {
  return mountPoints().filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/** The image a machine was made from: recorded at creation, so a later recipe change never swaps its lower layer. */
const imageRecord = (host: FleetHost): string => path.join(path.dirname(host.root), 'image');

export function machineExists(host: FleetHost): boolean {
  return fs.existsSync(imageRecord(host));
}

export function machineImage(host: FleetHost): string | undefined {
  try {
    return fs.readFileSync(imageRecord(host), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Mounts the machine's root (creating the machine over `rootfs` when it is new); true when it is new. */
export async function mountRoot(host: FleetHost, rootfs: string): Promise<boolean> {
  const created = !machineExists(host);
  if (created) {
    for (const dir of [host.upper, host.work, host.root]) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.writeFileSync(imageRecord(host), `${rootfs}\n`);
  }
  if (isMounted(host.root)) return created;
  const lower = machineImage(host)!;
  if (!fs.existsSync(lower)) {
    throw new LabError(
      `machine ${host.name}`,
      `its image ${lower} is gone from the cache: \`npm run fleet:down -- --purge\` makes the machines anew`,
    );
  }
  const r = await run('mount', [
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${lower},upperdir=${host.upper},workdir=${host.work}`,
    host.root,
  ]);
  if (r.code !== 0) throw new LabError(`machine ${host.name}`, `mount of its root failed: ${r.stderr.trim()}`);
  return created;
}

export async function unmountRoot(host: FleetHost): Promise<void> {
  if (!isMounted(host.root)) return;
  const r = await run('umount', [host.root]);
  if (r.code !== 0 && isMounted(host.root))
    throw new LabError(`machine ${host.name}`, `umount ${host.root} failed: ${r.stderr.trim()}`);
}

/** uid and gid of an account of the machine (its own /etc/passwd and /etc/group, not the bastion's). */
export function accountIds(root: string, user: string, group = user): { uid: number; gid: number } {
  const find = (file: string, name: string): number => {
    const line = fs
      .readFileSync(path.join(root, 'etc', file), 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (!line) throw new Error(`no ${file === 'passwd' ? 'user' : 'group'} ${name} in ${root}/etc/${file}`);
    return Number(line.split(':')[2]);
  };
  return { uid: find('passwd', user), gid: find('group', group) };
}

export interface FileSpec {
  content: string | Buffer;
  mode: number;
  /** an account of the machine; root when absent */
  owner?: string;
  group?: string;
}

/**
 * Writes a file at `file` (an absolute path on the machine) when its content, mode or owner differ; creates the
 * folders above it (root-owned, 0755 unless they exist). True when something changed.
 */
export function writeMachineFile(root: string, file: string, spec: FileSpec): boolean {
  const target = path.join(root, file);
  const { uid, gid } = spec.owner ? accountIds(root, spec.owner, spec.group ?? spec.owner) : { uid: 0, gid: 0 };
  const content = Buffer.isBuffer(spec.content) ? spec.content : Buffer.from(spec.content);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    st = undefined;
  }
  if (
    st &&
    (st.mode & 0o7777) === spec.mode &&
    st.uid === uid &&
    st.gid === gid &&
    fs.readFileSync(target).equals(content)
  ) {
    return false;
  }
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  const tmp = `${target}.poolgate-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode: spec.mode });
  fs.chownSync(tmp, uid, gid);
  fs.chmodSync(tmp, spec.mode);
  fs.renameSync(tmp, target);
  return true;
}

/** `systemctl enable|disable` inside the machine's tree (offline: works whether or not it runs). */
export async function setUnitEnabled(root: string, unit: string, enabled: boolean): Promise<void> {
  const r = await run('systemctl', [`--root=${root}`, '--quiet', enabled ? 'enable' : 'disable', unit]);
  if (r.code !== 0) throw new Error(`systemctl --root ${enabled ? 'enable' : 'disable'} ${unit}: ${r.stderr.trim()}`);
}

/** A folder on the machine with this mode and owner (created when missing). */
export function ensureMachineDir(
  root: string,
  dir: string,
  spec: { mode: number; owner?: string; group?: string },
): void {
  const target = path.join(root, dir);
  fs.mkdirSync(target, { recursive: true, mode: 0o755 });
  const { uid, gid } = spec.owner ? accountIds(root, spec.owner, spec.group ?? spec.owner) : { uid: 0, gid: 0 };
  fs.chownSync(target, uid, gid);
  fs.chmodSync(target, spec.mode);
}
