import type { JobStatus } from '../schemas/api.ts';
import type { Freed } from '../schemas/storage.ts';
import { jobPrefix, jobSpecKey } from '../src/pipeline/keys.ts';
import type { JobSpec } from '../src/pipeline/types.ts';
import { inputJob } from '../src/safety/keys.ts';
import { coordinator } from './coordinator.ts';
import { keeper } from './dataset-keeper.ts';
import { deletePrefix, plus } from './r2-delete.ts';

/** A job as deletion sees it: its coordinator's status and its spec (either may be gone). */
export interface JobFacts {
  id: string;
  status: JobStatus | null;
  spec: JobSpec | null;
}

export async function jobFacts(env: Env, id: string): Promise<JobFacts> {
  const [status, o] = await Promise.all([coordinator(env, id).status(), env.DATA_BUCKET.get(jobSpecKey(id))]);
  let spec: JobSpec | null = null;
  try {
    spec = o ? ((await o.json()) as JobSpec) : null;
  } catch {
    // Not a spec Winnow wrote: the job is known by its coordinator, or is an orphan.
  }
  return { id, status, spec: spec?.recipe ? spec : null };
}

/** A pair set's round job: the set it belongs to (its dataset is `pairs.<set>`). */
export function roundOf(spec: JobSpec | null): { set: string; round: number } | undefined {
  if (spec?.round === undefined) return undefined;
  return { set: spec.dataset.replace(/^pairs\./, ''), round: spec.round };
}

/**
 * Why the job may not be deleted now, or null. A running job must be cancelled first; a pair set's
 * round is served with the set's pairs; a job that an unfinished job compares with (`previous`) waits
 * for it. Asks the dataset's keeper, which knows those jobs by their pins.
 */
export async function deleteRefusal(env: Env, f: JobFacts): Promise<string | null> {
  if (f.status?.state === 'running')
    return `job "${f.id}" is running: cancel it first (POST /v1/jobs/${f.id}/cancel), then delete it`;
  const round = roundOf(f.spec);
  if (round)
    return `job "${f.id}" is round ${round.round} of pair set "${round.set}": the set's pairs.jsonl is served from it`;
  const dataset = f.spec?.dataset ?? f.status?.dataset;
  if (!dataset) return null;
  const { running } = await keeper(env, dataset).holds(f.id);
  return running.length > 0
    ? `running job ${running.join(', ')} compares with job "${f.id}" (previous): delete it when that job has ended`
    : null;
}

/**
 * Delete an ended job: every object under jobs/{id}/ (outputs included), then its coordinator's
 * state, so that a delete cut short is finished by the next one. Its dataset's keeper forgets it (its
 * pins, and the `latest` pointer when it was the latest scheduled run). Check `deleteRefusal` first.
 */
export async function deleteJob(env: Env, f: JobFacts, { dryRun = false } = {}): Promise<Freed> {
  const dataset = f.spec?.dataset ?? f.status?.dataset;
  if (!dryRun && dataset && !roundOf(f.spec)) await keeper(env, dataset).forget(dataset, f.id);
  const step = await deletePrefix(env.DATA_BUCKET, jobPrefix(f.id), { dryRun });
  let freed: Freed = { objects: step.objects, bytes: step.bytes };
  // A safety job's own input (its drafts, its held-out attack set) is read by no other job.
  for (const key of ownInputs(f)) freed = plus(freed, await deleteKey(env.DATA_BUCKET, key, dryRun));
  if (!dryRun) await coordinator(env, f.id).destroy();
  return freed;
}

/** The objects of the job's snapshot that the job wrote itself (a safety job's input under `safety/`). */
export function ownInputs(f: JobFacts): string[] {
  return (f.spec?.objects ?? []).map((o) => o.key).filter((key) => inputJob(key) === f.id);
}

/** Delete one object (counting it when it is there). */
export async function deleteKey(bucket: R2Bucket, key: string, dryRun: boolean): Promise<Freed> {
  const head = await bucket.head(key);
  if (!head) return { objects: 0, bytes: 0 };
  if (!dryRun) await bucket.delete(key);
  return { objects: 1, bytes: head.size };
}
