import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JobStatus } from '../../schemas/api.ts';
import type { Recipe } from '../../schemas/recipe.ts';
import { canonicalJson } from '../../src/util/index.ts';

/**
 * A job `winnow run` started, kept under `--state` until its outputs are downloaded: a run that was
 * interrupted (Ctrl-C, kill -9, a crash of the machine) and is run again reattaches to it.
 */
export interface RunRecord {
  job: string;
  dataset: string;
  /** `local` (the local stack over this state), or the `--url` of the instance. */
  target: string;
  /** When the job was started (ISO time). */
  started: string;
}

/**
 * The record's file: `<state>/runs/<24 hex>.json`, one per (target, dataset, recipe as sent). The
 * dataset is named after the input's contents, and the recipe holds the flags that change it
 * (`--budget`, `--shard-bytes`, …), so the same command on the same input finds the same file.
 */
export function runRecordFile(state: string, target: string, dataset: string, recipe: Recipe): string {
  const key = createHash('sha256').update(canonicalJson({ target, dataset, recipe })).digest('hex');
  return join(state, 'runs', `${key.slice(0, 24)}.json`);
}

/** The record in `file`, or null when there is none (or it cannot be read as one). */
export function readRunRecord(file: string): RunRecord | null {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunRecord>;
    return typeof r.job === 'string' && typeof r.started === 'string' ? (r as RunRecord) : null;
  } catch {
    return null;
  }
}

/** Write the record whole (a temporary file renamed over it), so a kill never leaves half of one. */
export function writeRunRecord(file: string, record: RunRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, file);
}

export function clearRunRecord(file: string): void {
  rmSync(file, { force: true });
}

/**
 * What a run does with the job an earlier run of the same command started: wait for it (still
 * running), download its outputs (done: the earlier run stopped before it had them), or start a new
 * job (it failed, was cancelled, or the instance does not know it). `note` says which, and why.
 * `status` is null when the instance answered that there is no such job.
 */
export function reattach(record: RunRecord, status: JobStatus | null): { job: string | null; note: string } {
  const what = `job ${record.job} (started ${record.started} by an earlier run of this command)`;
  if (status?.state === 'running')
    return { job: record.job, note: `${what} is still running: reattaching to it` };
  if (status?.state === 'done')
    return { job: record.job, note: `${what} is done, its outputs not downloaded: downloading them` };
  const why = status
    ? `${status.state}${status.error ? `: ${status.error}` : ''}`
    : `is not known to ${record.target === 'local' ? 'the local stack' : record.target}`;
  return { job: null, note: `${what} ${why}; starting a new job` };
}
