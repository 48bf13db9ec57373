import type { EmbedderRef } from '../../../embed/index.ts';
import { npyHeader } from '../../../embed/matrix-file.ts';
import { embedKey } from '../../keys.ts';
import { NPY } from '../../outputs.ts';
import type { ShardInfo, StageDef } from '../../types.ts';
import { jobFitPath } from '../cluster/fit-path.ts';
import type { ModelRef } from '../fit/fit.ts';
import { fitStage } from '../fit/stage.ts';
import { needsVectors } from '../select/plan.ts';
import {
  type EmbedTally,
  embedMerge,
  embedNeedsPrepare,
  embedPrepare,
  embedShard,
  pcaFit,
  pcaProjectShard,
  pcaShard,
  usesPca,
} from './embed.ts';

export interface EmbedState {
  /** The embedder's dimension (clustering runs on min(cluster.dim, dim)). */
  dim: number;
  /** Records embedded in this job, and those whose vectors came from the dataset's cache. */
  computed: number;
  cached: number;
  /** Rows per shard, and each shard's stored `embed.f32` size (embeddings.npy is served from them). */
  rows: number[];
  bytes: number[];
  /** The content hash of the embedder's model, when its first pass made one. */
  model?: string;
}

interface EmbedSteps {
  prepare: { records: number };
  merge: { shards: number; hash: string };
  embed: EmbedTally;
  'pca-partial': { records: number };
  'pca-fit': { shards: number };
  'pca-project': { records: number; dim: number };
}

/**
 * Embed every valid record: the embedder's first pass and its merge when it has one (document
 * frequencies), the vectors, then PCA for clustering when the recipe reduces that way.
 */
export const embedStage: StageDef<
  EmbedState,
  { shard?: ShardInfo; model?: string; fitted?: ModelRef },
  EmbedSteps
> = {
  id: 'embed',
  queue: 'score',
  summary: 'embed every valid record (and reduce the vectors for clustering)',
  applies: (spec) => !spec.recipe.pairs && !spec.recipe.safety,
  runs: (view) => needsVectors(view.spec.recipe),
  start: (view) => ({
    step: embedNeedsPrepare(view.spec) ? 'prepare' : 'embed',
    state: { dim: 0, computed: 0, cached: 0, rows: [], bytes: [] },
  }),
  steps: {
    prepare: { fan: 'shards', run: (t, env) => embedPrepare(env.store, t.spec, t.input.shard!) },
    merge: { fan: 'one', run: (t, env) => embedMerge(env.store, t.spec, t.shards) },
    embed: {
      fan: 'shards',
      run: (t, env) =>
        embedShard(
          env.store,
          t.spec,
          t.input.shard!,
          env.providers(t.shards + 1),
          env.deps.vectors?.(t.spec.dataset),
          t.input.model,
          t.input.fitted,
        ),
      counts: (r) => ({ in: r.records, out: r.records }),
    },
    'pca-partial': { fan: 'shards', run: (t, env) => pcaShard(env.store, t.spec, t.input.shard!) },
    'pca-fit': { fan: 'one', run: (t, env) => pcaFit(env.store, t.spec, t.shards) },
    'pca-project': { fan: 'shards', run: (t, env) => pcaProjectShard(env.store, t.spec, t.input.shard!) },
  },
  input: (view, s, step, index) =>
    step === 'merge' || step === 'pca-fit'
      ? {}
      : {
          shard: view.table.shard(index),
          ...(step === 'embed' && s.model ? { model: s.model } : {}),
          ...(step === 'embed' && view.of(fitStage)?.embed ? { fitted: view.of(fitStage)!.embed } : {}),
        },
  next(view, b) {
    switch (b.step) {
      case 'prepare':
        return { step: 'merge', state: b.state };
      case 'merge':
        return { step: 'embed', state: { ...b.state, model: b.results[0]?.hash } };
      case 'embed': {
        const state: EmbedState = {
          ...b.state,
          dim: b.results[0]?.dim ?? 0,
          computed: b.results.reduce((a, t) => a + t.computed, 0),
          cached: b.results.reduce((a, t) => a + t.cached, 0),
          rows: b.results.map((t) => t.records),
          bytes: b.results.map((t) => t.bytes),
        };
        // The cluster stage fits the PCA itself when it fits on a sample.
        const pca = usesPca(view.spec) && jobFitPath(view, state.dim).path === 'full';
        return pca ? { step: 'pca-partial', state } : { done: true, state };
      }
      case 'pca-partial':
        return { step: 'pca-fit', state: b.state };
      case 'pca-fit':
        return { step: 'pca-project', state: b.state };
      case 'pca-project':
        return { done: true, state: b.state };
    }
  },
  report: (view, s) =>
    s && s.rows.length > 0
      ? {
          embedding: {
            embedder: (view.spec.recipe.embed as EmbedderRef).id,
            computed: s.computed,
            cached: s.cached,
          },
        }
      : {},
  outputs(view, s) {
    if (!view.spec.recipe.exportEmbeddings || !s?.dim) return [];
    const rows = s.rows.reduce((a, n) => a + n, 0);
    const parts = s.bytes.map((bytes, shard) => ({ key: embedKey(view.spec.id, shard, 'embed'), bytes }));
    const bytes = npyHeader(rows, s.dim).byteLength + rows * s.dim * 4;
    return [{ name: 'embeddings.npy', contentType: NPY, bytes, parts, layout: 'npy', shape: [rows, s.dim] }];
  },
};
