import { jobPrefix, jobSpecKey } from './keys.ts';
import type { OutputManifest } from './outputs.ts';

/** What a job keeps once it ended (recipe `keep`): its outputs only, or every intermediate too. */
export type Keep = 'outputs' | 'all';

/**
 * Which of an ended job's objects stay with `keep: "outputs"`; the rest are intermediates (shards,
 * scores, ranks, vectors, cluster and select steps, fit samples, models of a `cache: false` job) that
 * nothing reads once the job has ended. A finished job keeps:
 * - `job.json` (a schedule's `recipeRef` and a later job's `previous` read it);
 * - everything under `out/`: the outputs, the report and manifest, `members-index.bin` and the diff;
 * - every part its output manifest lists, wherever it is (`embeddings.npy` is served from the shards'
 *   `embed.f32`);
 * - each shard's `members.bin`, which a later job's diff reads (`previous`).
 * A failed or cancelled job has no outputs and cannot be compared with: it keeps `job.json` only.
 * A finished job without a manifest (written by an older Winnow) keeps everything: what it serves is
 * not known.
 */
export function keptAfterEnd(
  job: string,
  { done, manifest }: { done: boolean; manifest: OutputManifest | null },
): (key: string) => boolean {
  const spec = jobSpecKey(job);
  if (!done) return (key) => key === spec;
  if (!manifest) return () => true;
  const out = `${jobPrefix(job)}out/`;
  const shards = `${jobPrefix(job)}shards/`;
  const parts = new Set(manifest.files.flatMap((f) => f.parts.map((p) => p.key)));
  return (key) =>
    key === spec ||
    key.startsWith(out) ||
    parts.has(key) ||
    (key.startsWith(shards) && key.endsWith('/members.bin'));
}

/** An ended or orphaned job as gc sees it. */
export interface GcJob {
  id: string;
  /** The coordinator's state; null when it has none (the job never started, or was deleted). */
  state: 'running' | 'done' | 'failed' | 'cancelled' | null;
  /** When the job ended (its last update); for a job without a coordinator, when its newest object was written. */
  at: number;
  keep: Keep;
  /** A pair set's round: its pairs are served with the set's. */
  round?: { set: string; round: number };
  /** Unfinished jobs that compare with this one (`previous`). */
  readBy?: string[];
  /** The dataset whose `latest` scheduled run this is. */
  latestOf?: string;
}

export type GcAction =
  | { kind: 'none' }
  | { kind: 'drop' }
  | { kind: 'delete' }
  | { kind: 'orphan' }
  | { kind: 'skip'; reason: string };

export interface GcOptions {
  now: number;
  /** Delete ended jobs older than this (ms); absent: no job is deleted, only their intermediates. */
  olderThan?: number;
  /** Objects of a job without a coordinator younger than this may belong to a job being started. */
  graceMs: number;
}

/** Whether gc would delete the job by age (before asking who still reads it). */
export function expired(j: Pick<GcJob, 'state' | 'at'>, o: GcOptions): boolean {
  return (
    j.state !== null && j.state !== 'running' && o.olderThan !== undefined && o.now - j.at >= o.olderThan
  );
}

/**
 * What gc does with one job: delete it whole (ended before `olderThan`, and nothing needs it), drop
 * its intermediates (ended, `keep: "outputs"`), sweep it as an orphan (objects without a
 * coordinator, older than the grace), or leave it, saying why when it would have been deleted.
 */
export function gcAction(j: GcJob, o: GcOptions): GcAction {
  if (j.state === null) return o.now - j.at >= o.graceMs ? { kind: 'orphan' } : { kind: 'none' };
  if (j.state === 'running') return { kind: 'none' };
  if (expired(j, o)) {
    const skip = (reason: string): GcAction => ({ kind: 'skip', reason });
    if (j.round) return skip(`round ${j.round.round} of pair set "${j.round.set}"`);
    if (j.readBy?.length) return skip(`running job ${j.readBy.join(', ')} compares with it`);
    if (j.latestOf) return skip(`the latest scheduled run of dataset "${j.latestOf}"`);
    return { kind: 'delete' };
  }
  return j.keep === 'outputs' ? { kind: 'drop' } : { kind: 'none' };
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--jobs-older-than`: a whole number of minutes, hours or days (`30m`, `12h`, `7d`), in ms. */
export function parseAge(text: string): number {
  const m = /^(\d+)([mhd])$/.exec(text.trim());
  if (!m) throw new RangeError(`an age looks like 30m, 12h or 7d, got "${text}"`);
  return Number(m[1]) * UNITS[m[2]];
}
