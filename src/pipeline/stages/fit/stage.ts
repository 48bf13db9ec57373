import type { ShardInfo, StageDef } from '../../types.ts';
import { validRecords } from '../ingest/stage.ts';
import { scoresRecords } from '../score/scores-records.ts';
import {
  embedFitter,
  type FitOutcome,
  fitModel,
  fitSample,
  fitTasks,
  fitters,
  type ModelRef,
} from './fit.ts';

export interface FitState {
  /** The uniform sampling rate of the sample step. */
  rate: number;
  /** Fitted models by scorer id, and what each fit did. */
  models: Record<string, ModelRef>;
  /** The embedder's fitted model, when it learns from the sample (src/embed/tfidf.ts). */
  embed?: ModelRef;
  fits: FitOutcome[];
}

interface FitSteps {
  sample: { records: number; sampled: number };
  model: FitOutcome;
}

/**
 * Learning scorers fit on the job's own records: a hash-uniform sample from every shard, then one task
 * per learning scorer fits (or reuses) its model.
 */
export const fitStage: StageDef<FitState, { shard?: ShardInfo; rate: number; records?: number }, FitSteps> = {
  id: 'fit',
  queue: 'score',
  summary: 'fit the models of scorers that learn from the data (a sample map, then one task per model)',
  applies: () => true,
  runs: (view) =>
    validRecords(view) > 0 &&
    ((scoresRecords(view.spec) && fitters(view.spec).length > 0) || embedFitter(view.spec) !== undefined),
  start: (view) => ({
    step: 'sample',
    state: {
      rate: Math.min(1, view.spec.recipe.fit.sampleSize / validRecords(view)),
      models: {},
      fits: [],
    },
  }),
  steps: {
    sample: {
      fan: 'shards',
      run: (t, env) => fitSample(env.store, t.spec, t.input.shard!, t.input.rate),
      counts: (r) => ({ in: r.records, out: r.sampled }),
    },
    model: {
      fan: (_state, view) => fitTasks(view.spec),
      run: (t, env) =>
        fitModel(env.store, t.spec, t.index, t.shards, env.providers(t.shards + 1), {
          ...(t.input.records !== undefined ? { records: t.input.records } : {}),
          ...(env.deps.cells ? { cells: env.deps.cells(t.spec.dataset) } : {}),
        }),
    },
  },
  input: (view, state, step, index) =>
    step === 'sample'
      ? { shard: view.table.shard(index), rate: state.rate }
      : { rate: state.rate, records: validRecords(view) },
  next(_view, b) {
    if (b.step === 'sample') return { step: 'model', state: b.state };
    const models = Object.fromEntries(b.results.filter((f) => !f.embedder).map((f) => [f.scorer, f.model]));
    const embed = b.results.find((f) => f.embedder)?.model;
    return { done: true, state: { ...b.state, models, ...(embed ? { embed } : {}), fits: b.results } };
  },
  report: (_view, s) => ({
    fits: Object.fromEntries(
      (s?.fits ?? []).map((f) => [f.scorer, { summary: f.summary, reused: f.reused, seconds: f.seconds }]),
    ),
  }),
};
