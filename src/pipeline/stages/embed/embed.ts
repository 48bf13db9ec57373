import type { Matrix } from '../../../cluster/types.ts';
import { type EmbedderRef, embedColumn, resolveEmbedder, type VectorCache } from '../../../embed/index.ts';
import { decodeMatrix, encodeMatrix } from '../../../embed/matrix-file.ts';
import {
  mergePca,
  type Pca,
  type PcaStats,
  pcaFinalize,
  pcaPartial,
  pcaProject,
  project,
  randomProjection,
} from '../../../embed/reduce.ts';
import type { ProviderSet } from '../../../providers/types.ts';
import { decodeTables, encodeTables } from '../../../score/features/model-bytes.ts';
import type { ScoreInput } from '../../../score/index.ts';
import { shortHash } from '../../../util/hex.ts';
import { embedKey, embedModelKey, embedPartialKey, pcaModelKey, pcaPartialKey } from '../../keys.ts';
import { readShardRecords, scoreInput } from '../../shard-records.ts';
import type { BlobStore } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';

/** The recipe reduces its vectors by PCA before clustering. */
export function usesPca(spec: JobSpec): boolean {
  return spec.recipe.cluster?.dim !== undefined && spec.recipe.cluster.reduce === 'pca';
}

const BATCH = 256;

/** One shard's embedding step: vectors written, their dimension, and how many were embedded or came from the cache. */
export interface EmbedTally {
  records: number;
  dim: number;
  /** Records embedded here (one per distinct content when cached); the rest came from the dataset's vectors. */
  computed: number;
  cached: number;
  /** Size of the stored `embed.f32` (header and rows). */
  bytes: number;
}

function embedder(spec: JobSpec) {
  return resolveEmbedder(spec.recipe.embed as EmbedderRef);
}

/** Whether the recipe's embedder needs the first pass (document frequencies, …). */
export function embedNeedsPrepare(spec: JobSpec): boolean {
  return embedder(spec).embedder.prepare !== undefined;
}

/** First pass, one shard: the embedder's partial statistics. */
export async function embedPrepare(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
): Promise<{ records: number }> {
  const { embedder: e, config } = embedder(spec);
  const rs = await readShardRecords(store, spec.id, info, { rows: false });
  const partial = e.prepare!.partial(rs.map(scoreInput), config);
  await store.put(embedPartialKey(spec.id, info.shard), e.prepare!.encodePartial(partial));
  return { records: rs.length };
}

/** Merge every shard's partial into the embedder's model. */
export async function embedMerge(
  store: BlobStore,
  spec: JobSpec,
  shards: number,
): Promise<{ shards: number; hash: string }> {
  const { embedder: e, config } = embedder(spec);
  const prep = e.prepare!;
  let total: unknown;
  for (let s = 0; s < shards; s++) {
    const bytes = await store.get(embedPartialKey(spec.id, s));
    if (!bytes) throw new Error(`embed partial of shard ${s} is missing`);
    const p = prep.decodePartial(bytes);
    total = s === 0 ? p : prep.merge(total, p);
  }
  const bytes = prep.encodeModel(prep.finalize(total, config));
  await store.put(embedModelKey(spec.id), bytes);
  return { shards, hash: shortHash(bytes, 16) };
}

/** The last decoded embedder model, per isolate, by key and content hash (the fit's or the merge step's). */
let cachedModel: { id: string; model: unknown } | undefined;

/** The embedder model at `key` (content hash `hash`), decoded once per isolate. */
async function decodedModel(
  store: BlobStore,
  key: string,
  hash: string,
  decode: (bytes: Uint8Array) => unknown,
  madeBy: string,
): Promise<unknown> {
  const id = `${key}#${hash}`;
  if (cachedModel?.id !== id) {
    const bytes = await store.get(key);
    if (!bytes) throw new Error(`the embedder model is missing at ${key} (${madeBy} must write it first)`);
    cachedModel = { id, model: decode(bytes) };
  }
  return cachedModel.model;
}

/**
 * Embed one shard: `embed.f32` holds the full vectors (for export); when the recipe reduces for
 * clustering, `reduced.f32` holds the seeded random projection.
 */
export async function embedShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  providers?: ProviderSet,
  vectors?: VectorCache,
  /** The content hash of the embedder's model (the merge step's), when it has one. */
  modelHash = '',
  /** The embedder's model from the fit stage, when it learns from the fit sample. */
  fitted?: { key: string; hash: string },
): Promise<EmbedTally> {
  const { embedder: e, config } = embedder(spec);
  let model: unknown;
  if (e.fitted) {
    if (!fitted) throw new Error('the embedder model is missing (the fit stage must fit it first)');
    model = await decodedModel(store, fitted.key, fitted.hash, e.fitted.decodeModel, 'the fit stage');
  } else if (e.prepare) {
    model = await decodedModel(
      store,
      embedModelKey(spec.id),
      modelHash,
      e.prepare.decodeModel,
      'the first pass',
    );
  }
  const rs = await readShardRecords(store, spec.id, info, { rows: false });
  const dim = e.dim(config);
  const data = new Float32Array(rs.length * dim);
  const embed = async (inputs: ScoreInput[], into: (i: number, v: Float32Array) => void) => {
    for (let i = 0; i < inputs.length; i += BATCH) {
      const out = await e.embed(inputs.slice(i, i + BATCH), config, { model, providers });
      for (let j = 0; i + j < inputs.length && j < BATCH; j++)
        into(i + j, out.subarray(j * dim, (j + 1) * dim));
    }
  };
  // A model embedder's vectors depend on the record alone: reuse the dataset's, embed each new content once.
  const cache = e.kind === 'model' && !e.prepare && spec.recipe.cache ? vectors : undefined;
  let computed = rs.length;
  if (cache) {
    const column = embedColumn(e, config);
    const found = await cache.get(column, [...new Set(rs.map((r) => r.hash))]);
    const missing = new Map<string, ScoreInput>();
    for (const r of rs) if (!found.has(r.hash) && !missing.has(r.hash)) missing.set(r.hash, scoreInput(r));
    const todo = [...missing.values()];
    const fresh: [string, Float32Array][] = [];
    await embed(todo, (i, v) => fresh.push([todo[i].hash, Float32Array.from(v)]));
    if (fresh.length > 0) await cache.put(column, fresh);
    for (const [h, v] of fresh) found.set(h, v);
    for (const [i, r] of rs.entries()) data.set(found.get(r.hash)!, i * dim);
    computed = todo.length;
  } else {
    await embed(rs.map(scoreInput), (i, v) => data.set(v, i * dim));
  }
  const m: Matrix = { data, n: rs.length, dim };
  const file = encodeMatrix(m);
  await store.put(embedKey(spec.id, info.shard, 'embed'), file);
  const reduceTo = spec.recipe.cluster?.dim;
  if (reduceTo !== undefined && reduceTo < dim && !usesPca(spec)) {
    const proj = randomProjection(dim, reduceTo, clusterSeed(spec));
    await store.put(embedKey(spec.id, info.shard, 'reduced'), encodeMatrix(project(m, proj, reduceTo)));
  }
  return { records: rs.length, dim, computed, cached: rs.length - computed, bytes: file.byteLength };
}

export function clusterSeed(spec: JobSpec): number {
  return spec.recipe.cluster?.seed ?? spec.recipe.seed;
}

/** The vectors clustering runs on: the reduced ones when the recipe reduces, else the embeddings. */
export async function clusterVectors(store: BlobStore, spec: JobSpec, shard: number): Promise<Matrix> {
  const dim = spec.recipe.cluster?.dim;
  const which = dim !== undefined ? 'reduced' : 'embed';
  let bytes = await store.get(embedKey(spec.id, shard, which));
  if (!bytes && which === 'reduced') bytes = await store.get(embedKey(spec.id, shard, 'embed'));
  if (!bytes) throw new Error(`embeddings of shard ${shard} are missing`);
  return decodeMatrix(bytes);
}

/** A shard's embeddings as the embedder wrote them (not reduced). */
export async function shardEmbeddings(store: BlobStore, spec: JobSpec, shard: number): Promise<Matrix> {
  const bytes = await store.get(embedKey(spec.id, shard, 'embed'));
  if (!bytes) throw new Error(`embeddings of shard ${shard} are missing`);
  return decodeMatrix(bytes);
}

/** PCA pass 1, one shard: Σx and Σxxᵀ of its embeddings. */
export async function pcaShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
): Promise<{ records: number }> {
  const stats = pcaPartial(await shardEmbeddings(store, spec, info.shard));
  const bytes = encodeTables(
    'pca-stats',
    { n: stats.n, dim: stats.dim },
    { sum: stats.sum, sumOuter: stats.sumOuter },
  );
  await store.put(pcaPartialKey(spec.id, info.shard), bytes);
  return { records: stats.n };
}

/** PCA pass 2: merge every shard's moments and keep the top `cluster.dim` principal axes. */
export async function pcaFit(store: BlobStore, spec: JobSpec, shards: number): Promise<{ shards: number }> {
  let total: PcaStats | undefined;
  for (let s = 0; s < shards; s++) {
    const bytes = await store.get(pcaPartialKey(spec.id, s));
    if (!bytes) throw new Error(`PCA statistics of shard ${s} are missing`);
    const { meta, arrays } = decodeTables(bytes, 'pca-stats');
    const part: PcaStats = {
      n: meta.n as number,
      dim: meta.dim as number,
      sum: arrays.sum as Float64Array,
      sumOuter: arrays.sumOuter as Float64Array,
    };
    total = total ? mergePca(total, part) : part;
  }
  await writePca(store, spec, pcaFinalize(total!, pcaDim(spec, total!.dim)));
  return { shards };
}

/** The PCA's output dimension: the recipe's `cluster.dim`, at most the embeddings'. */
export function pcaDim(spec: JobSpec, embedDim: number): number {
  return Math.min(spec.recipe.cluster!.dim!, embedDim);
}

/** Stores the job's fitted PCA (pcaModelKey). */
export async function writePca(store: BlobStore, spec: JobSpec, pca: Pca): Promise<void> {
  const bytes = encodeTables(
    'pca',
    { dim: pca.dim, dimOut: pca.dimOut },
    { mean: pca.mean, components: pca.components, variances: pca.variances },
  );
  await store.put(pcaModelKey(spec.id), bytes);
}

/** The job's fitted PCA. */
export async function readPca(store: BlobStore, spec: JobSpec): Promise<Pca> {
  const bytes = await store.get(pcaModelKey(spec.id));
  if (!bytes) throw new Error('the PCA model is missing');
  const { meta, arrays } = decodeTables(bytes, 'pca');
  return {
    dim: meta.dim as number,
    dimOut: meta.dimOut as number,
    mean: arrays.mean as Float64Array,
    components: arrays.components as Float32Array,
    variances: arrays.variances as Float64Array,
  };
}

/** PCA pass 3, one shard: project its embeddings onto the principal axes (`reduced.f32`). */
export async function pcaProjectShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
): Promise<{ records: number; dim: number }> {
  const reduced = await projectShard(store, spec, info.shard);
  return { records: reduced.n, dim: reduced.dim };
}

/** Projects a shard's embeddings with the job's PCA, stores them as its `reduced.f32` and returns them. */
export async function projectShard(store: BlobStore, spec: JobSpec, shard: number): Promise<Matrix> {
  const reduced = pcaProject(await shardEmbeddings(store, spec, shard), await readPca(store, spec));
  await store.put(embedKey(spec.id, shard, 'reduced'), encodeMatrix(reduced));
  return reduced;
}
