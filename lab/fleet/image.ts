import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LabError } from '../control/lab-error';
import { run } from '../control/proc';
import { withSlotLock } from '../control/slot-lock';

/**
 * The fleet's host image: one Debian root file system every machine boots (as an overlay's lower layer, never
 * written), built once with mmdebstrap and cached outside the checkout under a folder named for its recipe, so a
 * change of the recipe builds a new image and never alters one a running machine uses.
 */
export const IMAGE_RECIPE = {
  suite: 'bookworm',
  variant: 'minbase',
  // Each host's real parts (systemd, sshd, PostgreSQL and pgBackRest, HAProxy) and what Ansible needs there
  // (python3, sudo).
  packages: [
    'systemd',
    'systemd-sysv',
    'dbus',
    'openssh-server',
    'python3',
    'sudo',
    'ca-certificates',
    'iproute2',
    'procps',
    'postgresql-15',
    'pgbackrest',
    'haproxy',
  ],
  /**
   * Run by mmdebstrap on the finished tree ($1). What every host shares: the `deploy` account Ansible logs in as
   * (passwordless sudo, as production's inventory expects), sshd refusing root and passwords, no host keys (each
   * machine gets its own), no machine id, and the packaged daemons off (each host turns on its own: PostgreSQL on the
   * db hosts, HAProxy on the lb; all of them share this machine's network, so a daemon on a default address would
   * collide). A service's own account is its own to declare (lab/fleet/app-host.ts, sysusers.d).
   */
  hook: `set -eu
root="$1"
chroot "$root" useradd --create-home --shell /bin/bash deploy
printf 'deploy ALL=(ALL:ALL) NOPASSWD: ALL\\n' > "$root/etc/sudoers.d/deploy"
chmod 0440 "$root/etc/sudoers.d/deploy"
chroot "$root" visudo -c -q -f /etc/sudoers.d/deploy
printf 'PermitRootLogin no\\nPasswordAuthentication no\\nKbdInteractiveAuthentication no\\nAllowUsers deploy\\n' > "$root/etc/ssh/sshd_config.d/10-poolgate.conf"
rm -f "$root"/etc/ssh/ssh_host_*
chroot "$root" systemctl disable postgresql.service haproxy.service
: > "$root/etc/machine-id"
`,
} as const;

/** Not part of the recipe's identity: any Debian mirror gives the same image. */
const mirror = (env: NodeJS.ProcessEnv): string => env.POOLGATE_FLEET_MIRROR || 'http://deb.debian.org/debian';

export function recipeHash(recipe: typeof IMAGE_RECIPE = IMAGE_RECIPE): string {
  return crypto.createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
}

export interface FleetImage {
  dir: string;
  rootfs: string;
  /** written once the build succeeded: the image exists only with it */
  stamp: string;
}

export function imagePaths(cacheDir: string, hash = recipeHash()): FleetImage {
  const dir = path.join(cacheDir, hash);
  return { dir, rootfs: path.join(dir, 'rootfs'), stamp: path.join(dir, 'built.json') };
}

export function imageReady(image: FleetImage): boolean {
  return fs.existsSync(image.stamp) && fs.existsSync(path.join(image.rootfs, 'usr', 'lib', 'systemd', 'systemd'));
}

/**
 * The cached image, built if missing (one build at a time per recipe, across fleets and checkouts). Returns how
 * long the build took, or null when the cache already held it.
 */
export async function ensureImage(
  cacheDir: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ image: FleetImage; builtInS: number | null }> {
  const image = imagePaths(cacheDir);
  if (imageReady(image)) return { image, builtInS: null };
  return withSlotLock(
    { stateDir: image.dir },
    async () => {
      // Another fleet may have built it while this one waited for the lock.
      if (imageReady(image)) return { image, builtInS: null };
      const started = performance.now();
      const building = `${image.rootfs}.building`;
      fs.rmSync(building, { recursive: true, force: true });
      const hookFile = path.join(image.dir, 'customize.sh');
      fs.writeFileSync(hookFile, IMAGE_RECIPE.hook, { mode: 0o700 });
      const buildLog = path.join(image.dir, 'build.log');
      log(`image: building ${image.dir} with mmdebstrap (${IMAGE_RECIPE.suite}, once; log ${buildLog})`);
      const r = await run(
        'mmdebstrap',
        [
          `--variant=${IMAGE_RECIPE.variant}`,
          `--include=${IMAGE_RECIPE.packages.join(',')}`,
          `--customize-hook=sh ${hookFile} "$1"`,
          IMAGE_RECIPE.suite,
          building,
          mirror(env),
        ],
        { timeoutMs: 1_200_000 },
      );
      fs.writeFileSync(buildLog, `${r.stdout}${r.stderr}`);
      if (r.code !== 0) {
        fs.rmSync(building, { recursive: true, force: true });
        const tail = r.stderr.trim().split('\n').slice(-5).join(' | ');
        throw new LabError('image', `mmdebstrap failed (exit ${r.code}): ${tail} (full log: ${buildLog})`);
      }
      fs.renameSync(building, image.rootfs);
      const builtInS = Math.round((performance.now() - started) / 100) / 10;
      fs.writeFileSync(
        image.stamp,
        `${JSON.stringify({ recipe: IMAGE_RECIPE, hash: recipeHash(), built_at: new Date().toISOString(), seconds: builtInS }, null, 2)}\n`,
      );
      log(`image: built in ${builtInS} s`);
      return { image, builtInS };
    },
    1_500_000,
  );
}
