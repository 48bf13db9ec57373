import { finalizeStats, mergeStats, resolveScorers, type ScoreStat } from '../../../score/index.ts';
import type { JobSpec, ShardInfo, StageDef } from '../../types.ts';
import type { ModelRef } from '../fit/fit.ts';
import { fitStage } from '../fit/stage.ts';
import { type CellCounts, type ModelUsage, type ScoreTally, score } from './score.ts';
import { scoresRecords } from './scores-records.ts';

/** Every shard's scoring, merged. */
export interface ScoreState {
  /** Per score: merged statistics, and the dataset's [min, max] (minmax normalization, histograms). */
  stats: Record<string, ScoreStat>;
  ranges: Record<string, { min: number; max: number }>;
  byScorer: Record<string, CellCounts>;
  model: ModelUsage;
  /** Merged partials of dataset-wide outputs, by scorer id (Scorer.dataset), for export. */
  totals: Record<string, unknown>;
}

const zero = (): ModelUsage => ({ requests: 0, cached: 0, failed: 0 });

/** Run the recipe's scorers over every shard, cell by cell through the dataset's cache. */
export const scoreStage: StageDef<
  ScoreState,
  { shard: ShardInfo; models: Record<string, ModelRef> },
  { score: ScoreTally }
> = {
  id: 'score',
  queue: 'score',
  summary: "run the recipe's scorers over every shard (cached cells reused) and apply its filters",
  applies: () => true,
  runs: (view) => scoresRecords(view.spec),
  start: () => ({
    step: 'score',
    state: { stats: {}, ranges: {}, byScorer: {}, model: zero(), totals: {} },
  }),
  steps: {
    score: {
      fan: 'shards',
      run: (t, env) =>
        score(env.store, t.spec, t.input.shard, {
          models: t.input.models,
          cells: env.deps.cells?.(t.spec.dataset),
          providers: env.providers(t.shards + 1),
        }),
      counts: (r) => ({ in: r.records, out: r.records - r.filtered }),
    },
  },
  input: (view, _state, _step, index) => ({
    shard: view.table.shard(index),
    models: view.of(fitStage)?.models ?? {},
  }),
  next(view, { results }) {
    const stats = results.reduce<Record<string, ScoreStat>>((acc, t) => mergeStats(acc, t.stats), {});
    const byScorer: Record<string, CellCounts> = {};
    const model = zero();
    for (const t of results) {
      for (const [id, c] of Object.entries(t.byScorer)) {
        const acc = (byScorer[id] ??= { computed: 0, cached: 0, seconds: 0 });
        acc.computed += c.computed;
        acc.cached += c.cached;
        acc.seconds += c.seconds;
      }
      model.requests += t.model.requests;
      model.cached += t.model.cached;
      model.failed += t.model.failed;
    }
    const ranges = Object.fromEntries(Object.entries(stats).map(([k, s]) => [k, { min: s.min, max: s.max }]));
    return {
      done: true,
      state: { stats, ranges, byScorer, model, totals: mergePartials(view.spec, results) },
    };
  },
  report(view, s) {
    const fits = view.of(fitStage)?.fits ?? [];
    const usages = [s?.model ?? zero(), ...fits.flatMap((f) => (f.usage ? [f.usage] : []))];
    const cells = Object.values(s?.byScorer ?? {});
    const total = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
    return {
      scores: finalizeStats(s?.stats ?? {}),
      scoring: {
        computed: total(cells, (c) => c.computed),
        cached: total(cells, (c) => c.cached),
        byScorer: s?.byScorer ?? {},
        model: {
          requests: total(usages, (u) => u.requests),
          cached: total(usages, (u) => u.cached),
          failed: total(usages, (u) => u.failed),
        },
      },
    };
  },
};

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
