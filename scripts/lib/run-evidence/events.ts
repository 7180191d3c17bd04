import { readLines, type Lines } from './read';
import type { RolloutEvent } from '../../types/rollout-event';

export type { RolloutEvent };

/**
 * The run's events.jsonl (written on the control node by the collection's plugin_utils/events.py), every line
 * through schemas/rollout-event.schema.json, in time order (a line that does not validate is left out and named
 * in `problems`).
 */
export function readEvents(dir: string): Lines<RolloutEvent> {
  const read = readLines<RolloutEvent>(dir, 'events');
  const values = read.values
    .map((e, i) => ({ e, i, t: Date.parse(e.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.e);
  return { ...read, values };
}
