import type { Freed, GcBody, GcResult } from '../schemas/storage.ts';
import { WinnowError } from '../src/errors.ts';
import { DATASETS, datasetManifestKey, JOBS, jobPrefix, jobSpecKey } from '../src/pipeline/keys.ts';
import { expired, type GcJob, gcAction, keptAfterEnd, parseAge } from '../src/pipeline/retention.ts';
import { inputJob, LEDGER as SAFETY } from '../src/safety/keys.ts';
import { coordinator } from './coordinator.ts';
import { keeper } from './dataset-keeper.ts';
import { deleteJob, deleteKey, type JobFacts, jobFacts, roundOf } from './delete-job.ts';
import { readManifest } from './http/outputs.ts';
import { deletePrefix } from './r2-delete.ts';

/** Jobs (then datasets) one call looks at: a call stays well inside a Worker's subrequest budget. */
const PER_CALL = 50;
/** Files of a job without a coordinator younger than this may be a job being started. */
const ORPHAN_GRACE_MS = 10 * 60_000;

type Category = keyof GcResult['freed'];

/**
 * One call of `POST /v1/gc`: the next page of jobs under jobs/ (then of datasets, then of safety
 * jobs' inputs under safety/), each handled as src/pipeline/retention.ts `gcAction` decides. The
 * cursor says where the next call starts: `j:<R2 cursor>` for jobs, `d:<R2 cursor>` for datasets,
 * `s:<R2 cursor>` for safety inputs.
 */
export async function collectGarbage(env: Env, body: GcBody, now = Date.now()): Promise<GcResult> {
  const olderThan = body.jobsOlderThan === undefined ? undefined : parseAge(body.jobsOlderThan);
  const zero = () => ({ count: 0, objects: 0, bytes: 0 });
  const result: GcResult = {
    dryRun: body.dryRun,
    freed: { intermediates: zero(), jobs: zero(), orphans: zero(), versions: zero() },
    total: { objects: 0, bytes: 0 },
    skipped: [],
  };
  const add = (category: Category, f: Freed) => {
    if (f.objects === 0) return;
    const c = result.freed[category];
    c.count += 1;
    c.objects += f.objects;
    c.bytes += f.bytes;
    result.total.objects += f.objects;
    result.total.bytes += f.bytes;
  };
  const { phase, cursor } = readCursor(body.cursor);
  if (phase === 's') {
    const page = await env.DATA_BUCKET.list({
      prefix: SAFETY,
      limit: PER_CALL,
      ...(cursor ? { cursor } : {}),
    });
    for (const o of page.objects)
      add('orphans', await collectSafetyInput(env, o, { now, dryRun: body.dryRun }));
    if (page.truncated) result.cursor = `s:${page.cursor}`;
    return result;
  }
  const page = await env.DATA_BUCKET.list({
    prefix: phase === 'j' ? JOBS : DATASETS,
    delimiter: '/',
    limit: PER_CALL,
    ...(cursor ? { cursor } : {}),
  });
  for (const prefix of page.delimitedPrefixes) {
    const name = prefix.slice((phase === 'j' ? JOBS : DATASETS).length, -1);
    if (phase === 'j') {
      const done = await collectJob(env, name, { now, olderThan, dryRun: body.dryRun });
      if (done.skipped) result.skipped.push({ job: name, reason: done.skipped });
      if (done.category) add(done.category, done.freed);
    } else if (await env.DATA_BUCKET.head(datasetManifestKey(name))) {
      add('versions', await keeper(env, name).collect(body.dryRun));
    }
  }
  if (page.truncated) result.cursor = `${phase}:${page.cursor}`;
  else result.cursor = phase === 'j' ? 'd:' : 's:';
  return result;
}

/**
 * A safety job's own input (`safety/<identity>/<drafts|attacks>/<job>.jsonl`) whose job is gone: it
 * has neither a coordinator nor a spec (deleted before its input went with it, or never started),
 * and is older than the grace a job being started needs. The identity's ledger (`generated/`) stays:
 * held-out benchmark sets leave out what was generated, deleted jobs' sets included.
 */
async function collectSafetyInput(
  env: Env,
  o: R2Object,
  { now, dryRun }: { now: number; dryRun: boolean },
): Promise<Freed> {
  const none = { objects: 0, bytes: 0 };
  const job = inputJob(o.key);
  if (!job || now - o.uploaded.getTime() < ORPHAN_GRACE_MS) return none;
  if (await env.DATA_BUCKET.head(jobSpecKey(job))) return none;
  if (await coordinator(env, job).status()) return none;
  return deleteKey(env.DATA_BUCKET, o.key, dryRun);
}

function readCursor(text: string | undefined): { phase: 'j' | 'd' | 's'; cursor: string } {
  if (text === undefined) return { phase: 'j', cursor: '' };
  const m = /^([jds]):(.*)$/s.exec(text);
  if (!m)
    throw new WinnowError('validation_failed', {
      path: 'cursor',
      detail: 'not a cursor this route returned',
    });
  return { phase: m[1] as 'j' | 'd' | 's', cursor: m[2] };
}

/** When a job ended, or for one without a coordinator, when its spec or newest file was written. */
async function endedAt(env: Env, f: JobFacts): Promise<number> {
  if (f.status) return Date.parse(f.status.updatedAt);
  if (f.spec) return Date.parse(f.spec.createdAt);
  const listed = await env.DATA_BUCKET.list({ prefix: jobPrefix(f.id), limit: 1000 });
  return Math.max(0, ...listed.objects.map((o) => o.uploaded.getTime()));
}

async function collectJob(
  env: Env,
  id: string,
  o: { now: number; olderThan?: number; dryRun: boolean },
): Promise<{ category?: Category; freed: Freed; skipped?: string }> {
  const f = await jobFacts(env, id);
  const dataset = f.spec?.dataset ?? f.status?.dataset;
  const round = roundOf(f.spec);
  const job: GcJob = {
    id,
    state: f.status?.state ?? null,
    at: await endedAt(env, f),
    keep: f.spec?.recipe?.keep ?? 'outputs',
    ...(round ? { round } : {}),
  };
  const opts = { now: o.now, olderThan: o.olderThan, graceMs: ORPHAN_GRACE_MS };
  if (expired(job, opts) && dataset && !round) {
    const holds = await keeper(env, dataset).holds(id);
    job.readBy = holds.running;
    if (holds.latest) job.latestOf = dataset;
  }
  const action = gcAction(job, opts);
  const none = { freed: { objects: 0, bytes: 0 } };
  switch (action.kind) {
    case 'none':
      return none;
    case 'skip':
      return { ...none, skipped: action.reason };
    case 'delete':
      return { category: 'jobs', freed: await deleteJob(env, f, { dryRun: o.dryRun }) };
    case 'orphan': {
      // Its coordinator holds nothing: only the files go.
      const { objects, bytes } = await deletePrefix(env.DATA_BUCKET, jobPrefix(id), { dryRun: o.dryRun });
      return { category: 'orphans', freed: { objects, bytes } };
    }
    case 'drop': {
      const done = job.state === 'done';
      let manifest = null;
      try {
        manifest = done ? await readManifest(env.DATA_BUCKET, id) : null;
      } catch {
        // A manifest of an older Winnow: everything is kept.
      }
      const kept = keptAfterEnd(id, { done, manifest });
      const step = await deletePrefix(env.DATA_BUCKET, jobPrefix(id), {
        select: (key) => !kept(key),
        dryRun: o.dryRun,
      });
      return { category: 'intermediates', freed: { objects: step.objects, bytes: step.bytes } };
    }
  }
}
