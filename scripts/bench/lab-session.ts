import path from 'node:path';
import type { LabConfig } from '../../lab/lab-config';
import { collectStatus } from '../../lab/control/status';
import { MeasureError } from '../lib/errors';
import { packageRoot } from '../lib/paths';
import { runChild } from './child';
import { labAction, type LabAction } from './plan';

/**
 * The bench's lab, as test/helpers/lab.ts `useLab` handles a test's: brought up if it is not, brought down at
 * the end only if the bench started it. close() is safe to call from a finally and from a signal handler alike
 * (one lab-down at most), and runs lab-down shielded so the Ctrl-C that interrupted the bench does not cut it.
 */
export class LabSession {
  /** set before lab-up starts, so an interruption during lab-up still brings down what it started */
  startedHere = false;
  action: LabAction | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly cfg: LabConfig,
    private readonly keep: boolean,
    private readonly log: (line: string) => void,
  ) {}

  async open(): Promise<void> {
    this.action = labAction(await collectStatus(this.cfg));
    if (this.action === 'use') {
      this.log(`lab: slot ${this.cfg.slot} is up, using it as it is (left running afterwards)`);
      return;
    }
    this.startedHere = this.action === 'start';
    this.log(
      `lab: slot ${this.cfg.slot} is ${this.startedHere ? 'down, bringing it up (brought down again at the end)' : 'partly up, completing it (left running afterwards: the bench did not start it)'}`,
    );
    const r = await this.script('lab-up', false);
    if (r.code !== 0) throw new MeasureError(`lab-up of slot ${this.cfg.slot} exited ${r.code}:\n${r.stdout}`);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.startedHere) return;
      if (this.keep) {
        this.log(
          `lab: slot ${this.cfg.slot} left running (POOLGATE_LAB_KEEP=1); stop it with POOLGATE_LAB_SLOT=${this.cfg.slot} npm run lab:down`,
        );
        return;
      }
      this.log(`lab: bringing slot ${this.cfg.slot} down (the bench started it)`);
      const r = await this.script('lab-down', true);
      this.log(
        r.code === 0
          ? `lab: ${r.stdout.trim()}`
          : `lab: lab-down of slot ${this.cfg.slot} exited ${r.code} (run POOLGATE_LAB_SLOT=${this.cfg.slot} npm run lab:down)`,
      );
    })();
    return this.closing;
  }

  private script(name: 'lab-up' | 'lab-down', shielded: boolean): ReturnType<typeof runChild> {
    // The compiled scripts (`npm run bench` builds first); they read POOLGATE_LAB_SLOT from the environment.
    return runChild(process.execPath, [path.join(packageRoot, 'dist', 'lab', 'control', `${name}.js`)], {
      cwd: packageRoot,
      env: { ...process.env, POOLGATE_LAB_SLOT: String(this.cfg.slot) },
      timeoutMs: 300_000,
      echoStderr: true,
      shielded,
    });
  }
}
