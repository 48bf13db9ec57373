import type { Report } from '../../schemas/output.ts';
import type { Budget } from '../../schemas/recipe.ts';
import { finalizeStats, mergeStats, type ScoreStat } from '../score/index.ts';
import { type Cut, isTrivialCut } from '../select/index.ts';
import { OUTPUT_FILES } from './keys.ts';
import type { JobSpec } from './spec.ts';
import type { ExportTally, FitOutcome, IngestTally, ScoreTally } from './stages/index.ts';

export interface ReportInput {
  spec: JobSpec;
  ingest: readonly IngestTally[];
  scored: readonly ScoreTally[];
  fits: readonly FitOutcome[];
  clusters?: Report['clusters'];
  exported: readonly ExportTally[];
  budget: { requested: Budget; target: number; reachable: boolean };
  cut: Cut;
  rounds: number;
  stages: Report['stages'];
  seconds: number;
}

/** Roll shard tallies up into `report.json`. */
export function buildReport(input: ReportInput): Report {
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
  const rejectedByReason: Record<string, number> = {};
  for (const t of input.exported) {
    for (const [reason, n] of Object.entries(t.rejectedByReason)) {
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + n;
    }
  }
  const stats = input.scored.reduce<Record<string, ScoreStat>>((acc, t) => mergeStats(acc, t.stats), {});
  const byScorer: Record<string, { computed: number; cached: number; seconds: number }> = {};
  for (const t of input.scored) {
    for (const [id, c] of Object.entries(t.byScorer)) {
      const acc = (byScorer[id] ??= { computed: 0, cached: 0, seconds: 0 });
      acc.computed += c.computed;
      acc.cached += c.cached;
      acc.seconds += c.seconds;
    }
  }
  const scorerTotals = Object.values(byScorer);
  const usages = [
    ...input.scored.map((t) => t.model),
    ...input.fits.flatMap((f) => (f.usage ? [f.usage] : [])),
  ];
  const { cut } = input;
  return {
    job: input.spec.id,
    dataset: input.spec.dataset,
    counts: {
      input: sum(input.ingest, (t) => t.records),
      valid: sum(input.ingest, (t) => t.valid),
      invalid: sum(input.ingest, (t) => t.invalid),
      selected: sum(input.exported, (t) => t.selected),
      rejected: sum(input.exported, (t) => t.rejected),
    },
    rejectedByReason,
    budget: input.budget,
    threshold: !isTrivialCut(cut)
      ? { rank: cut.threshold, ties: cut.tieQuota ? sum(cut.tieQuota, (q) => q) : 0, rounds: input.rounds }
      : null,
    scores: finalizeStats(stats),
    scoring: {
      computed: sum(scorerTotals, (c) => c.computed),
      cached: sum(scorerTotals, (c) => c.cached),
      byScorer,
      model: {
        requests: sum(usages, (u) => u?.requests ?? 0),
        cached: sum(usages, (u) => u?.cached ?? 0),
        failed: sum(usages, (u) => u?.failed ?? 0),
      },
    },
    fits: Object.fromEntries(
      input.fits.map((f) => [f.scorer, { summary: f.summary, reused: f.reused, seconds: f.seconds }]),
    ),
    ...(input.clusters ? { clusters: input.clusters } : {}),
    stages: input.stages,
    seconds: input.seconds,
    recipe: input.spec.recipe,
    outputs: [...OUTPUT_FILES, 'report.json'],
  };
}
