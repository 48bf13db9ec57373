import type { Report } from '../../schemas/output.ts';
import type { Budget } from '../../schemas/recipe.ts';
import { finalizeStats, mergeStats, type ScoreStat } from '../score/index.ts';
import { type Cut, isTrivialCut } from '../select/index.ts';
import { OUTPUT_FILES } from './keys.ts';
import type { JobSpec } from './spec.ts';
import type { EmbedTally } from './stages/embed/embed.ts';
import type { DiffResult } from './stages/export/diff.ts';
import type { ExportTally, FitOutcome, IngestTally, ScoreTally, WeightsResult } from './stages/index.ts';
import type { SelectState } from './stages/select/plan.ts';

export interface ReportInput {
  spec: JobSpec;
  ingest: readonly IngestTally[];
  scored: readonly ScoreTally[];
  /** The embedding step's shard tallies (empty when the recipe does not embed). */
  embedded?: readonly EmbedTally[];
  fits: readonly FitOutcome[];
  clusters?: Report['clusters'];
  /** The shards' export tallies, merged (absent when nothing was exported). */
  exported?: ExportTally;
  select?: SelectState;
  weights?: WeightsResult;
  /** Compared with an earlier run (diff.json written). */
  diff?: DiffResult;
  stats: Record<string, { min: number; max: number }>;
  budget: { requested: Budget; target: number; reachable: boolean };
  cut: Cut;
  stages: Report['stages'];
  seconds: number;
}

/** Roll shard tallies up into `report.json`. */
export function buildReport(input: ReportInput): Report {
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
  const exported = input.exported;
  const selected = exported?.selected ?? 0;
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
      selected,
      rejected: exported?.rejected ?? 0,
    },
    rejectedByReason: exported?.rejectedByReason ?? {},
    budget: { ...input.budget, met: input.budget.reachable && selected === input.budget.target },
    threshold: !isTrivialCut(cut)
      ? {
          rank: cut.threshold,
          ties: cut.tieQuota ? sum(cut.tieQuota, (q) => q) : 0,
          rounds: input.select?.rounds ?? 0,
        }
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
    ...(input.embedded?.length
      ? {
          embedding: {
            embedder: (input.spec.recipe.embed as { id: string }).id,
            computed: sum(input.embedded, (t) => t.computed),
            cached: sum(input.embedded, (t) => t.cached),
          },
        }
      : {}),
    ...(input.clusters ? { clusters: input.clusters } : {}),
    selection: selectionReport(input),
    ...(input.weights
      ? {
          weights: {
            score: input.weights.score,
            scale: input.weights.scale,
            mean: input.weights.mean,
            min: input.weights.min,
            max: input.weights.max,
            missing: input.weights.missing,
          },
        }
      : {}),
    ...(input.diff
      ? {
          diff: {
            previous: input.diff.previous,
            counts: input.diff.counts,
            threshold: input.diff.threshold,
            truncated: input.diff.truncated,
          },
        }
      : {}),
    stages: input.stages,
    seconds: input.seconds,
    recipe: input.spec.recipe,
    outputs: [...OUTPUT_FILES, ...(input.diff ? ['diff.json', 'diff.jsonl'] : []), 'report.json'],
  };
}

/** What dedup and the strategy did: counts, per-cluster availability and selection, score histograms. */
function selectionReport(input: ReportInput): Report['selection'] {
  const { spec, select, exported } = input;
  const c = select?.counts;
  const per = exported?.perCluster;
  return {
    strategy: spec.recipe.select.strategy,
    candidates: select?.candidates ?? 0,
    dedup: {
      duplicate: c?.duplicate ?? 0,
      near_duplicate: c?.near_duplicate ?? 0,
      semantic_duplicate: c?.semantic_duplicate ?? 0,
      edges: c?.edges ?? 0,
      buckets: c?.buckets ?? 0,
      compared: c?.compared ?? 0,
    },
    diversity: c?.diversity ?? 0,
    ...(select?.ic && spec.recipe.select.incontext ? { incontext: incontextReport(spec, select.ic) } : {}),
    ...(per
      ? {
          perCluster: per.available.map((available, cluster) => ({
            cluster,
            available,
            selected: per.selected[cluster] ?? 0,
            ...(select?.quotas ? { quota: select.quotas[cluster] ?? 0 } : {}),
          })),
        }
      : {}),
    histograms: Object.fromEntries(
      Object.entries(exported?.histograms ?? {}).map(([name, h]) => [
        name,
        { min: input.stats[name]?.min ?? 0, max: input.stats[name]?.max ?? 0, ...h },
      ]),
    ),
  };
}

/** What accelerated in-context scoring cost against full scoring, and (when both ran) how well it agreed. */
function incontextReport(spec: ReportInput['spec'], ic: NonNullable<SelectState['ic']>) {
  const cfg = spec.recipe.select.incontext!;
  const per = ic.perRecord ?? 1;
  const sampled = ic.sampled ?? 0;
  const candidates = ic.candidates ?? 0;
  return {
    scorer: cfg.scorer.id,
    sampleRate: cfg.sampleRate,
    sampled,
    failed: ic.failed ?? 0,
    candidates,
    callsPerRecord: per,
    calls: sampled * per,
    fullCalls: candidates * per,
    callRatio: candidates > 0 ? sampled / candidates : 0,
    requests: ic.requests ?? 0,
    ...(ic.compared !== undefined
      ? {
          compared: ic.compared,
          spearman: ic.spearman ?? Number.NaN,
          topOverlap: ic.topOverlap ?? Number.NaN,
        }
      : {}),
  };
}
