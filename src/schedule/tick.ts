import { nextCron, parseCron, parseEvery } from './cron.ts';

/** When a schedule fires: a 5-field UTC cron, or an interval such as `6h`. */
export interface Timing {
  cron?: string;
  every?: string;
}

/**
 * The first due time of a new (or changed) schedule set at `now`: an interval is due at once; a
 * cron at its next matching minute after `now`. Null when a cron never matches again.
 */
export function firstDue(t: Timing, now: number): number | null {
  if (t.every !== undefined) return now;
  return nextCron(parseCron(t.cron!), new Date(now))?.getTime() ?? null;
}

/**
 * The due time after a run started at `now` for the due time `due`: intervals stay on their grid
 * (due + k·interval, the first one after now), so a late tick does not make the schedule drift.
 */
export function nextDue(t: Timing, due: number, now: number): number | null {
  if (t.every !== undefined) {
    const step = parseEvery(t.every);
    return due + step * (Math.floor(Math.max(0, now - due) / step) + 1);
  }
  return nextCron(parseCron(t.cron!), new Date(now))?.getTime() ?? null;
}

export interface TickInput {
  enabled: boolean;
  /** A failed run is retried on this many following ticks in a row. */
  retries: number;
  dueAt: number | null;
  /** A run of this schedule is still starting or running. */
  active: boolean;
  /** Failed runs since the last one that finished (0 when the last run finished or none ran). */
  failuresInRow: number;
  /** `force`: start a run although none is due (never while one is active). */
  force: boolean;
}

export type TickDecision =
  | { start: false; action: 'disabled' | 'busy' | 'not_due' }
  | { start: true; trigger: 'due' | 'retry' | 'manual'; advance: boolean };

/**
 * What one tick does: never two runs at once; a due run first (and the due time moves on), then a
 * retry of a failed run while `retries` allows, then a forced run. Pure: the Durable Object calls it
 * inside one synchronous turn, so overlapping ticks cannot both start a run.
 */
export function decideTick(s: TickInput, now: number): TickDecision {
  if (s.active) return { start: false, action: 'busy' };
  if (!s.enabled && !s.force) return { start: false, action: 'disabled' };
  if (s.enabled && s.dueAt !== null && now >= s.dueAt) return { start: true, trigger: 'due', advance: true };
  if (s.enabled && s.failuresInRow > 0 && s.failuresInRow <= s.retries)
    return { start: true, trigger: 'retry', advance: false };
  if (s.force) return { start: true, trigger: 'manual', advance: false };
  return { start: false, action: 'not_due' };
}
