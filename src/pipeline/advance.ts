import type { Stage } from '../../schemas/message.ts';
import type { Report } from '../../schemas/output.ts';
import type { DiffCounts } from '../../schemas/schedule.ts';
import { bic } from '../cluster/index.ts';
import type { ShardRange } from '../formats/index.ts';
import type { PairCut } from '../pairs/budget.ts';
import { pairsScoreNeedsScorers } from '../pairs/score-by.ts';
import { mergeStats, resolveScorers, type ScoreStat } from '../score/index.ts';
import { ALL, budgetTarget, type Cut } from '../select/index.ts';
import { finishSelection } from './finish.ts';
import type { JobSpec, ShardInfo } from './spec.ts';
import {
  type ClusterState,
  firstClusterState,
  MAP_STEPS,
  mergeTasks,
  nextClusterStep,
  type StepResult,
} from './stages/cluster/plan.ts';
import { EMBED_ITER, embedNeedsPrepare, usesPca } from './stages/embed/embed.ts';
import { type DiffPartResult, diffParts, mergeDiffParts } from './stages/export/diff.ts';
import {
  type FitOutcome,
  fitters,
  type IngestTally,
  type ModelRef,
  type ScoreTally,
} from './stages/index.ts';
import { assignOffsets } from './stages/ingest/offsets.ts';
import { advancePairs, finishPairs, openPairs } from './stages/pairs/advance.ts';
import {
  firstSelectState,
  needsVectors,
  nextSelectStep,
  type SelectState,
  stepTasks,
} from './stages/select/plan.ts';

/** What the coordinator remembers between barriers, besides the shard table and the ledger. */
export interface PipelineState {
  budget?: { requested: string | number; target: number; reachable: boolean };
  stats?: Record<string, { min: number; max: number }>;
  /** Fit stage: the uniform sampling rate of the map, then the fitted models by scorer id. */
  fitRate?: number;
  models?: Record<string, ModelRef>;
  fits?: FitOutcome[];
  /** Merged partials of dataset-wide outputs, by scorer id, for export. */
  totals?: Record<string, unknown>;
  /** The cluster stage: its step plan, the seeding sample rate, the vectors' dimension, final sizes. */
  plan?: ClusterState;
  clusterRate?: number;
  /** The embedder's dimension (clustering runs on min(cluster.dim, embedDim)). */
  embedDim?: number;
  clusterSummary?: Extract<StepResult, { kind: 'summary' }>;
  /** The select stage's step plan (dedup, strategy, top-k rounds). */
  select?: SelectState;
  /** Set once the cut is known; select rounds stop and export starts. */
  cut?: Cut;
  /** Comparing with `spec.previous`: the diff tasks, then their merged counts. */
  diff?: { parts: number; counts?: DiffCounts; bytes?: number };
  /** Pairs jobs: the hash partitions, and the budget's cut once step 2 has decided it. */
  pairs?: { partitions: number; cut?: PairCut };
}

export interface Barrier {
  stage: Stage;
  iter: number;
}

export interface BarrierInput extends Barrier {
  spec: JobSpec;
  /** This barrier's task results, in shard order. */
  results: unknown[];
  shards: ShardInfo[];
  state: PipelineState;
  /** Results of a stage's iteration (default: its last), in shard order: for the report. */
  history(stage: Stage, iter?: number): unknown[];
  stageSeconds: Record<string, { records: number; seconds: number; shards: number }>;
  seconds: number;
}

export interface OutputManifest {
  /** Every output file, report.json aside: the record files, and clusters.json / embeddings.npy when written. */
  files: { name: string; bytes: number; parts: number; shape?: [rows: number, dim: number] }[];
  shards: number;
}

export type Advance =
  | { kind: 'open'; stage: Stage; iter: number; shards: number[]; state: PipelineState; table?: ShardInfo[] }
  | { kind: 'finish'; state: PipelineState; report: Report; manifest: OutputManifest; table?: ShardInfo[] };

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Decide what happens when every task of (stage, iter) has reported. Pure. */
export function advance(input: BarrierInput): Advance {
  const { spec, state } = input;
  switch (input.stage) {
    case 'plan': {
      const ranges = input.results[0] as ShardRange[];
      const multipart = new Set(ranges.map((r) => r.part)).size > 1;
      const table = ranges.map((range, shard) => ({
        shard,
        range,
        indexOffset: 0,
        lineOffset: 0,
        multipart,
      }));
      if (ranges.length === 0) {
        if (spec.recipe.pairs) return finishPairs({ ...input, shards: table }, state);
        const budget = {
          ...budgetTarget(spec.recipe.select.budget, 0),
          requested: spec.recipe.select.budget,
        };
        return finishSelection({ ...input, shards: table }, { ...state, budget, cut: ALL });
      }
      return { kind: 'open', stage: 'ingest', iter: 0, shards: all(table.length), state, table };
    }
    case 'ingest': {
      const tallies = input.results as IngestTally[];
      const table = assignOffsets(
        input.shards.map((s) => s.range),
        tallies,
      );
      const valid = tallies.reduce((a, t) => a + t.valid, 0);
      if (spec.recipe.pairs && !pairsScoreNeedsScorers(spec.recipe.pairs))
        return openPairs(spec, table.length, state, table);
      // A selection's budget in records; a pairs job's budget is in pairs, and its own.
      const budget = spec.recipe.pairs
        ? undefined
        : { ...budgetTarget(spec.recipe.select.budget, valid), requested: spec.recipe.select.budget };
      const learning = fitters(spec).length;
      if (learning > 0 && valid > 0) {
        const fitRate = Math.min(1, spec.recipe.fit.sampleSize / valid);
        return {
          kind: 'open',
          stage: 'fit',
          iter: 0,
          shards: all(table.length),
          state: { ...state, budget, fitRate },
          table,
        };
      }
      return {
        kind: 'open',
        stage: 'score',
        iter: 0,
        shards: all(table.length),
        state: { ...state, budget },
        table,
      };
    }
    case 'fit': {
      if (input.iter === 0) {
        const n = fitters(spec).length;
        return { kind: 'open', stage: 'fit', iter: 1, shards: all(n), state };
      }
      const fits = input.results as FitOutcome[];
      const models = Object.fromEntries(fits.map((f) => [f.scorer, f.model]));
      return {
        kind: 'open',
        stage: 'score',
        iter: 0,
        shards: all(input.shards.length),
        state: { ...state, models, fits },
      };
    }
    case 'score': {
      const merged = (input.results as ScoreTally[]).reduce<Record<string, ScoreStat>>(
        (acc, t) => mergeStats(acc, t.stats),
        {},
      );
      const stats = Object.fromEntries(
        Object.entries(merged).map(([k, s]) => [k, { min: s.min, max: s.max }]),
      );
      const totals = mergePartials(spec, input.results as ScoreTally[]);
      const next: PipelineState = { ...state, stats, totals };
      if (spec.recipe.pairs) return openPairs(spec, input.shards.length, next);
      if (needsVectors(spec.recipe)) {
        const iter = embedNeedsPrepare(spec) ? EMBED_ITER.prepare : EMBED_ITER.embed;
        return { kind: 'open', stage: 'embed', iter, shards: all(input.shards.length), state: next };
      }
      return openSelect(input, next);
    }
    case 'embed': {
      if (input.iter === EMBED_ITER.prepare)
        return { kind: 'open', stage: 'embed', iter: EMBED_ITER.merge, shards: [0], state };
      if (input.iter === EMBED_ITER.merge)
        return {
          kind: 'open',
          stage: 'embed',
          iter: EMBED_ITER.embed,
          shards: all(input.shards.length),
          state,
        };
      // The embedding step reports the embedder's dimension; the PCA steps report the reduced one.
      const st =
        input.iter === EMBED_ITER.embed
          ? { ...state, embedDim: (input.results as { dim: number }[])[0]?.dim ?? 0 }
          : state;
      const open = (iter: number, shards: number[]): Advance => ({
        kind: 'open',
        stage: 'embed',
        iter,
        shards,
        state: st,
      });
      if (input.iter === EMBED_ITER.embed && usesPca(spec))
        return open(EMBED_ITER.pcaPartial, all(input.shards.length));
      if (input.iter === EMBED_ITER.pcaPartial) return open(EMBED_ITER.pcaFit, [0]);
      if (input.iter === EMBED_ITER.pcaFit) return open(EMBED_ITER.pcaProject, all(input.shards.length));
      if (!spec.recipe.cluster) return openSelect(input, st);
      const valid = (input.history('ingest') as IngestTally[]).reduce((a, t) => a + t.valid, 0);
      const clusterRate = Math.min(1, spec.recipe.cluster.sampleSize / Math.max(1, valid));
      const plan = firstClusterState(spec.recipe.cluster);
      const next = { ...st, plan, clusterRate };
      return { kind: 'open', stage: 'cluster', iter: 0, shards: all(input.shards.length), state: next };
    }
    case 'cluster': {
      const cluster = spec.recipe.cluster!;
      const embedDim = state.embedDim ?? 0;
      const dim = Math.min(cluster.dim ?? embedDim, embedDim);
      const next = nextClusterStep(
        cluster,
        state.plan!,
        input.iter,
        input.shards.length,
        input.results as StepResult[],
        (meanLL, n, k) => bic(meanLL * n, n, k, dim),
      );
      if (next === 'done') {
        const summary = input.results[0] as Extract<StepResult, { kind: 'summary' }>;
        return openSelect(input, { ...state, clusterSummary: summary });
      }
      const shards = MAP_STEPS.has(next.step.kind)
        ? all(input.shards.length)
        : next.step.kind === 'merge'
          ? all(mergeTasks(next.step))
          : [0];
      return {
        kind: 'open',
        stage: 'cluster',
        iter: input.iter + 1,
        shards,
        state: { ...state, plan: next },
      };
    }
    case 'select': {
      const target = state.budget?.target ?? 0;
      const step = nextSelectStep(spec.recipe, state.select!, input.results, input.shards.length, target);
      if (step.kind === 'next') {
        return {
          kind: 'open',
          stage: 'select',
          iter: input.iter + 1,
          shards: all(step.tasks),
          state: { ...state, select: step.state },
        };
      }
      const budget = state.budget
        ? { ...state.budget, reachable: state.budget.reachable && target <= step.candidates }
        : undefined;
      return {
        kind: 'open',
        stage: 'export',
        iter: 0,
        shards: all(input.shards.length),
        state: { ...state, budget, select: step.state, cut: step.cut },
      };
    }
    case 'export': {
      // Step 0 writes each shard's outputs; step 1, one task, writes weights.jsonl. With a previous
      // run to compare with, step 2 diffs id-bucket ranges and step 3, one task, writes diff.json.
      const open = (iter: number, shards: number[], st: PipelineState): Advance => ({
        kind: 'open',
        stage: 'export',
        iter,
        shards,
        state: st,
      });
      if (input.iter === 0) return open(1, [0], state);
      if (input.iter === 1 && spec.previous) {
        const valid = (input.history('ingest') as IngestTally[]).reduce((a, t) => a + t.valid, 0);
        const parts = diffParts(valid);
        return open(2, all(parts), { ...state, diff: { parts } });
      }
      if (input.iter === 2) {
        const merged = mergeDiffParts(input.results as DiffPartResult[]);
        return open(3, [0], { ...state, diff: { parts: state.diff!.parts, ...merged } });
      }
      return finishSelection(input, state);
    }
    case 'pairs':
      return advancePairs(input);
  }
}

/** Every shard's partial of each dataset-wide output, merged (Scorer.dataset). */
function mergePartials(spec: JobSpec, tallies: readonly ScoreTally[]): Record<string, unknown> {
  const totals: Record<string, unknown> = {};
  for (const { scorer } of resolveScorers(spec.recipe.scorers)) {
    if (!scorer.dataset) continue;
    for (const t of tallies) {
      if (!(scorer.id in t.partials)) continue;
      const p = t.partials[scorer.id];
      totals[scorer.id] = scorer.id in totals ? scorer.dataset.merge(totals[scorer.id], p) : p;
    }
  }
  return totals;
}

function openSelect(input: BarrierInput, state: PipelineState): Advance {
  const k = state.clusterSummary?.sizes.length ?? 1;
  const select = firstSelectState(input.spec.recipe, input.shards.length, k);
  return {
    kind: 'open',
    stage: 'select',
    iter: 0,
    shards: all(stepTasks(select, input.shards.length)),
    state: { ...state, select },
  };
}
