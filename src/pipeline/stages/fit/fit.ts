import { type EmbedderRef, type ResolvedEmbedder, resolveEmbedder } from '../../../embed/index.ts';
import { WinnowError } from '../../../errors.ts';
import {
  contentHash,
  normalizeRecord,
  normalizeValue,
  planShards,
  readShard,
} from '../../../formats/index.ts';
import type { ModelUsage, ProviderSet } from '../../../providers/types.ts';
import {
  type CellCache,
  type ResolvedScorer,
  resolveScorers,
  type ScoreInput,
} from '../../../score/index.ts';
import { hashUniform } from '../../../util/hash-uniform.ts';
import { shortHash } from '../../../util/hex.ts';
import { referenceProblem } from '../../internal-keys.ts';
import { fromJsonl, toJsonl } from '../../jsonl.ts';
import { datasetManifestKey, fitSampleKey, modelKey } from '../../keys.ts';
import { storeSource } from '../../range-source.ts';
import { readShardRecords, scoreInput } from '../../shard-records.ts';
import { type BlobStore, getJson, getText, type ObjectInfo } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import { needsVectors } from '../select/plan.ts';

/** A fitted model as the score stage finds it. */
export interface ModelRef {
  key: string;
  hash: string;
}

export interface FitOutcome {
  scorer: string;
  model: ModelRef;
  summary: Record<string, number | string>;
  /** The model was already fitted for this dataset and config and was reused. */
  reused: boolean;
  /** The embedder's model rather than a scorer's (`scorer` is then `embed:<id>`). */
  embedder?: boolean;
  /** Model endpoint usage of the fit (golden scores its anchors once). */
  usage?: ModelUsage;
  seconds: number;
}

/** The recipe's scorers that learn from data, in recipe order, then the in-context scorer's when it has its own. */
export function fitters(spec: JobSpec): ResolvedScorer[] {
  return resolveScorers(withInContext(spec)).filter((r) => typeof r.scorer.fit === 'function');
}

/** The recipe's embedder when the job embeds and the embedder learns from a sample (`fitted`). */
export function embedFitter(spec: JobSpec): ResolvedEmbedder | undefined {
  if (spec.recipe.pairs || spec.recipe.safety || !needsVectors(spec.recipe)) return undefined;
  const r = resolveEmbedder(spec.recipe.embed as EmbedderRef);
  return r.embedder.fitted ? r : undefined;
}

/** Model tasks of the fit stage: one per learning scorer, then one for the embedder when it learns. */
export function fitTasks(spec: JobSpec): number {
  return fitters(spec).length + (embedFitter(spec) ? 1 : 0);
}

/** The recipe's scorers plus `select.incontext.scorer` when no scorer of that id runs already. */
export function withInContext(spec: JobSpec): JobSpec['recipe']['scorers'] {
  const { scorers } = spec.recipe;
  const ic = spec.recipe.select.incontext;
  return ic && !scorers.some((s) => s.id === ic.scorer.id) ? [...scorers, ic.scorer] : scorers;
}

function modelName({ scorer, config }: ResolvedScorer): string {
  return `${scorer.id}@${scorer.version}-${shortHash(JSON.stringify(config), 16)}`;
}

function scope(spec: JobSpec) {
  return { job: spec.id, dataset: spec.dataset, shared: spec.recipe.cache };
}

function embedModelName({ embedder, config }: ResolvedEmbedder): string {
  return `embed-${embedder.id}@${embedder.version}-${shortHash(JSON.stringify(config), 16)}`;
}

async function reusable(store: BlobStore, spec: JobSpec, name: string): Promise<boolean> {
  if (!spec.recipe.cache || spec.recipe.fit.refit) return false;
  return (await store.head(modelKey(scope(spec), `${name}.json`))) !== null;
}

/**
 * Map: one shard's contribution to the fit sample, records whose hash-uniform falls under `rate`
 * plus every record a fitter asked for (`wantsForFit`). Writes nothing when every model is reused.
 */
export async function fitSample(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  rate: number,
): Promise<{ records: number; sampled: number }> {
  const pending: ResolvedScorer[] = [];
  for (const r of fitters(spec)) if (!(await reusable(store, spec, modelName(r)))) pending.push(r);
  const embed = embedFitter(spec);
  const embedPending = embed !== undefined && !(await reusable(store, spec, embedModelName(embed)));
  if (pending.length === 0 && !embedPending) return { records: 0, sampled: 0 };
  const records = await readShardRecords(store, spec.id, info);
  const sample: ScoreInput[] = [];
  for (const r of records) {
    const input: ScoreInput = scoreInput(r);
    const wanted = pending.some(({ scorer, config }) => scorer.wantsForFit?.(input, config) === true);
    if (wanted || hashUniform(r.hash) < rate) sample.push(input);
  }
  await store.put(fitSampleKey(spec.id, info.shard), toJsonl(sample));
  return { records: records.length, sampled: sample.length };
}

/** Reduce: fit (or reuse) the model of the `index`-th learning scorer from every shard's sample. */
export async function fitModel(
  store: BlobStore,
  spec: JobSpec,
  index: number,
  shards: number,
  providers?: ProviderSet,
  /** The job's valid records, and the dataset's cell cache: for fits that score a sample (`labelsFrom`). */
  extra: { records?: number; cells?: CellCache } = {},
): Promise<FitOutcome> {
  const t0 = Date.now();
  const learning = fitters(spec);
  if (index === learning.length && embedFitter(spec)) return fitEmbedder(store, spec, shards);
  const ref = learning[index];
  if (!ref) throw new Error(`fit task ${index} has no learning scorer`);
  const name = modelName(ref);
  const kept = await keptModel(store, spec, name);
  if (kept) return { scorer: ref.scorer.id, ...kept, reused: true, seconds: 0 };
  const self = await readFitSample(store, spec, shards);
  const references: Record<string, ScoreInput[]> = {};
  for (const key of ref.scorer.references?.(ref.config) ?? []) {
    references[key] = await readReference(store, key, spec.recipe.fit.sampleSize);
  }
  const { model, summary } = await ref.scorer.fit!(
    {
      self,
      references,
      seed: spec.recipe.seed,
      providers,
      ...(extra.records !== undefined ? { records: extra.records } : {}),
      ...(extra.cells && spec.recipe.cache ? { cells: extra.cells } : {}),
    },
    ref.config,
  );
  const bytes = ref.scorer.encodeModel
    ? ref.scorer.encodeModel(model)
    : new TextEncoder().encode(JSON.stringify(model));
  const out = await keepModel(store, spec, name, bytes, summary);
  return {
    scorer: ref.scorer.id,
    model: out,
    summary,
    reused: false,
    seconds: (Date.now() - t0) / 1000,
    ...(providers ? { usage: providers.usage() } : {}),
  };
}

/** A model an earlier job kept with the dataset under `name`, when the recipe may reuse it. */
async function keptModel(
  store: BlobStore,
  spec: JobSpec,
  name: string,
): Promise<{ model: ModelRef; summary: FitOutcome['summary'] } | null> {
  if (!(await reusable(store, spec, name))) return null;
  const where = scope(spec);
  const meta = await getJson<{ hash: string; summary: FitOutcome['summary'] }>(
    store,
    modelKey(where, `${name}.json`),
  );
  if (!meta) return null;
  return { model: { key: modelKey(where, `${name}.bin`), hash: meta.hash }, summary: meta.summary };
}

/** Store a fitted model's bytes and its summary under `name`, for this job and (with `cache`) later ones. */
async function keepModel(
  store: BlobStore,
  spec: JobSpec,
  name: string,
  bytes: Uint8Array,
  summary: FitOutcome['summary'],
): Promise<ModelRef> {
  const where = scope(spec);
  const hash = shortHash(bytes, 16);
  const out = { key: modelKey(where, `${name}.bin`), hash };
  await store.put(out.key, bytes);
  await store.put(modelKey(where, `${name}.json`), JSON.stringify({ hash, summary, job: spec.id }));
  return out;
}

async function readFitSample(store: BlobStore, spec: JobSpec, shards: number): Promise<ScoreInput[]> {
  const self: ScoreInput[] = [];
  for (let s = 0; s < shards; s++)
    self.push(...fromJsonl<ScoreInput>(await getText(store, fitSampleKey(spec.id, s))));
  return self;
}

/**
 * Fit (or reuse) the embedder's model from the fit sample, kept with the dataset like a scorer's
 * (`fit.refit` fits again; `cache: false` keeps it to the job).
 */
async function fitEmbedder(store: BlobStore, spec: JobSpec, shards: number): Promise<FitOutcome> {
  const t0 = Date.now();
  const resolved = embedFitter(spec)!;
  const { embedder, config } = resolved;
  const name = embedModelName(resolved);
  const scorer = `embed:${embedder.id}`;
  const kept = await keptModel(store, spec, name);
  if (kept) return { scorer, ...kept, reused: true, embedder: true, seconds: 0 };
  const sample = await readFitSample(store, spec, shards);
  const { model, summary } = embedder.fitted!.fit(sample, config);
  const out = await keepModel(store, spec, name, embedder.fitted!.encodeModel(model), summary);
  return { scorer, model: out, summary, reused: false, embedder: true, seconds: (Date.now() - t0) / 1000 };
}

/**
 * Up to `cap` valid records of a reference, in any input format; invalid ones are skipped. A reference
 * is an R2 object key, or `dataset:<name>` for every object of an uploaded or registered dataset.
 */
export async function readReference(store: BlobStore, ref: string, cap: number): Promise<ScoreInput[]> {
  const objects = await referenceObjects(store, ref);
  const out: ScoreInput[] = [];
  for (const [part, object] of objects.entries()) {
    const source = storeSource(store, object);
    for (const range of await planShards(source, { part, shardBytes: 64 * 1024 * 1024 })) {
      for await (const item of readShard(source, range)) {
        if (out.length >= cap) return out;
        if ('oversize' in item || 'unreadable' in item || ('notUtf8' in item && item.notUtf8)) continue;
        const norm =
          'value' in item ? normalizeValue(item.value, 'auto') : normalizeRecord(item.text, 'auto');
        if (norm.ok) {
          const id = `${ref}#${part}:${item.local}`;
          out.push({ id, hash: contentHash(norm.turns), turns: norm.turns, record: norm.record });
        }
      }
    }
  }
  return out;
}

async function referenceObjects(store: BlobStore, ref: string): Promise<ObjectInfo[]> {
  // Recipes are checked when a job is created; a schedule's recipe stored before the rule is checked here.
  const problem = referenceProblem(ref);
  if (problem) throw new WinnowError('validation_failed', { path: 'reference', detail: problem });
  if (ref.startsWith('dataset:')) {
    const name = ref.slice('dataset:'.length);
    const info = await getJson<{ objects: ObjectInfo[] }>(store, datasetManifestKey(name));
    if (!info) {
      throw new WinnowError('reference_missing', {
        detail: `reference "${ref}": there is no dataset "${name}"; upload it first (PUT /v1/datasets/${name})`,
        path: ref,
      });
    }
    return info.objects;
  }
  const object = await store.head(ref);
  if (!object) {
    throw new WinnowError('reference_missing', {
      detail: `reference dataset "${ref}" is not in the bucket; name an object key, or "dataset:<name>" for an uploaded dataset`,
      path: ref,
    });
  }
  return [object];
}
