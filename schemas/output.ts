import { z } from 'zod';
import { PairsReportSchema } from './pairs.ts';
import { SourceSchema } from './record.ts';
import { SafetyReportSchema } from './safety.ts';
import { DiffSchema } from './schedule.ts';

/** A line of `selected.jsonl` or `rejected.jsonl`. */
export const OutputLineSchema = z.object({
  id: z.string(),
  hash: z.string(),
  source: SourceSchema,
  record: z.unknown(),
  scores: z.record(z.string(), z.number()),
  /** The record's cluster (hard assignment), when the recipe clusters. */
  cluster: z.number().int().optional(),
  /** GMM: the top posterior responsibilities, most likely first. */
  posteriors: z.array(z.object({ cluster: z.number().int(), p: z.number() })).optional(),
  /** GMM: log N(x; μ_c, σ²_c), the record's log-density under its own component (its typicality). */
  logDensity: z.number().optional(),
  /** The rank value strategies ordered by, in [0, 1]; -1 for a record a filter rejected. */
  rank: z.number(),
  /** What the scorers noticed (`cut_off`, `identity_claim:openai`, …), whatever the outcome. */
  flags: z.array(z.string()).optional(),
  /** The scorers' short explanation (which rule fired, what the judge said). */
  note: z.string().optional(),
  /**
   * Present on rejected lines: `filter:<scorer>` or `identity` (a filter), `duplicate` / `near_duplicate` /
   * `semantic_duplicate` (dedup), `diversity` (the diverse strategy), `budget` (below the cut).
   */
  reason: z.string().optional(),
  /** Dedup: the id of the record its duplicate group kept. */
  duplicateOf: z.string().optional(),
  /** `diversity`: the id of the kept record it is too similar to. */
  similarTo: z.string().optional(),
  /** Semantic dedup and `diversity`: the cosine similarity to that record. */
  similarity: z.number().optional(),
});
export type OutputLine = z.infer<typeof OutputLineSchema>;

export const RecordErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
});
export type RecordError = z.infer<typeof RecordErrorSchema>;

/** A line of `invalid.jsonl`: where, why, and the raw text (truncated to 4 KiB). */
export const InvalidLineSchema = z.object({
  source: SourceSchema.partial(),
  /** Byte offset of the record's first byte in its object (the file, or its part). */
  offset: z.number().int().nonnegative().optional(),
  error: RecordErrorSchema,
  raw: z.string(),
});
export type InvalidLine = z.infer<typeof InvalidLineSchema>;

export const StageReportSchema = z.object({ records: z.number(), seconds: z.number(), shards: z.number() });

export const ReportSchema = z.object({
  job: z.string(),
  dataset: z.string(),
  counts: z.object({
    input: z.number(),
    valid: z.number(),
    invalid: z.number(),
    selected: z.number(),
    rejected: z.number(),
  }),
  rejectedByReason: z.record(z.string(), z.number()),
  /** `reachable`: enough candidates were left to spend it; `met`: exactly `target` records were selected. */
  budget: z.object({
    requested: z.union([z.number(), z.string()]),
    target: z.number(),
    reachable: z.boolean(),
    met: z.boolean(),
  }),
  threshold: z.object({ rank: z.number(), ties: z.number(), rounds: z.number() }).nullable(),
  scores: z.record(
    z.string(),
    z.object({ count: z.number(), mean: z.number(), std: z.number(), min: z.number(), max: z.number() }),
  ),
  /**
   * Score cells (one per distinct record content and scorer): computed in this job or served from the
   * dataset's cell cache. A re-run of an unchanged recipe on unchanged data computes 0.
   */
  scoring: z.object({
    computed: z.number(),
    cached: z.number(),
    byScorer: z.record(
      z.string(),
      z.object({ computed: z.number(), cached: z.number(), seconds: z.number() }),
    ),
    /** Model endpoint requests sent (retries included), answered from the response cache, and failed for good. */
    model: z.object({ requests: z.number(), cached: z.number(), failed: z.number() }),
  }),
  /** Learning scorers: what their fit saw (records, AUC, …), and whether a fitted model was reused. */
  fits: z.record(
    z.string(),
    z.object({
      summary: z.record(z.string(), z.union([z.number(), z.string()])),
      reused: z.boolean(),
      seconds: z.number(),
    }),
  ),
  /**
   * When the recipe embeds: records embedded in this job, and those whose vectors came from the
   * dataset's earlier jobs (model embedders only; the hashed embedder depends on the whole dataset).
   */
  embedding: z.object({ embedder: z.string(), computed: z.number(), cached: z.number() }).optional(),
  /** When the recipe clusters: the fit and, per cluster, its size and score means (details in clusters.json). */
  clusters: z
    .object({
      algorithm: z.enum(['kmeans', 'gmm']),
      k: z.number(),
      iterations: z.number(),
      converged: z.boolean(),
      sizes: z.array(z.number()),
      scoreMeans: z.array(z.record(z.string(), z.number())),
      /** The distance kernel that ran: `wasm-relaxed`, `wasm` (SIMD) or `js`. */
      kernel: z.string(),
      meanLogLikelihood: z.number().optional(),
      inertia: z.number().optional(),
      bic: z.array(z.object({ k: z.number(), bic: z.number() })).optional(),
      /** Where the fit ran (recipe `cluster.fit`). */
      fit: z.object({
        /** `sample`: to convergence in one task on the sample, then one pass assigned every record; `full`: map-reduce over every shard. */
        path: z.enum(['sample', 'full']),
        /** Records in the hash-uniform sample: what the fit ran on (`sample`), or what seeded k-means++ (`full`). */
        sample: z.number(),
        /**
         * `recipe`: the recipe's `cluster.fit`; otherwise the sample fits one task (`fits`), or it would
         * need too much memory (`memory`) or CPU (`cpu`), or read too many sample parts (`reads`).
         */
        reason: z.enum(['recipe', 'fits', 'memory', 'cpu', 'reads']),
        /** k-means++ starts of the sample fit, the least inertia kept (`cluster.nInit`, or as many as fit); 1 for `full`. */
        starts: z.number().optional(),
      }),
    })
    .optional(),
  selection: z.object({
    strategy: z.record(z.string(), z.unknown()),
    /** Records the budget was spent on: valid, not filtered, not a duplicate, not refused by the strategy. */
    candidates: z.number(),
    dedup: z.object({
      duplicate: z.number(),
      near_duplicate: z.number(),
      semantic_duplicate: z.number(),
      /** Near-duplicate edges found, band buckets with two or more records, sketch comparisons made. */
      edges: z.number(),
      buckets: z.number(),
      compared: z.number(),
    }),
    /** Records the diverse strategy refused as too similar to one it kept. */
    diversity: z.number(),
    /**
     * Reserves (recipe `select.reserve`), in order: records wanted (a share of the budget in records),
     * candidates matching (after filters, dedup and the strategy's refusals), matching records the
     * reserves took (`kept`, at most `matched`), matching records in the selection (`selected`: those
     * kept and those the strategy picked besides), and `short` when fewer than wanted were there.
     */
    reserve: z
      .array(
        z.object({
          name: z.string(),
          wanted: z.number(),
          matched: z.number(),
          kept: z.number(),
          selected: z.number(),
          short: z.boolean(),
        }),
      )
      .optional(),
    /**
     * Accelerated in-context scoring: candidates sampled and scored with the model; the audit's
     * candidates, outside the sample, scored in full too (`audited`); model calls made for both
     * (`calls`, of which `auditCalls`) against those full scoring needs (`fullCalls`), and their ratio
     * (`callRatio`, the audit included); the seconds the model phase's tasks spent getting scores, summed
     * (`seconds`); requests actually sent (0 when the cell cache or the full scorer's column answered);
     * and the estimate's agreement with full scoring on the audit, records the estimator never saw:
     * Spearman correlation and the overlap of the two top sets at `topFraction` (the budget's share of
     * the candidates), each side's ties broken at random with the recipe's seed.
     */
    incontext: z
      .object({
        scorer: z.string(),
        sampleRate: z.number(),
        sampled: z.number(),
        failed: z.number(),
        candidates: z.number(),
        callsPerRecord: z.number(),
        calls: z.number(),
        auditCalls: z.number(),
        fullCalls: z.number(),
        callRatio: z.number(),
        seconds: z.number(),
        requests: z.number(),
        audited: z.number(),
        auditFailed: z.number(),
        compared: z.number().optional(),
        spearman: z.number().optional(),
        topOverlap: z.number().optional(),
        topFraction: z.number().optional(),
      })
      .optional(),
    /** When the recipe clusters: per cluster, candidates the strategy saw, those selected, and the balanced quota. */
    perCluster: z
      .array(
        z.object({
          cluster: z.number(),
          available: z.number(),
          selected: z.number(),
          quota: z.number().optional(),
        }),
      )
      .optional(),
    /** Per score: 20 equal bins over [min, max], counting every valid record (`before`) and the selected (`after`). */
    histograms: z.record(
      z.string(),
      z.object({ min: z.number(), max: z.number(), before: z.array(z.number()), after: z.array(z.number()) }),
    ),
  }),
  /** weights.jsonl: the score it was built from, the solved scale, and the weights' mean, min and max. */
  weights: z
    .object({
      score: z.string(),
      scale: z.number(),
      mean: z.number(),
      min: z.number(),
      max: z.number(),
      missing: z.number(),
    })
    .optional(),
  /** When the job was compared with an earlier run (scheduled runs): diff.json's counts. */
  diff: DiffSchema.pick({ previous: true, counts: true, threshold: true, truncated: true }).optional(),
  /**
   * Trainer-ready exports (recipe `export.formats`, docs/exports.md): the files written, each row
   * file with its rows (every row file holds the same records), and the selected records (pairs, in a
   * pairs job) left out of every file because they are not a conversation trainers accept, by reason,
   * with the first few of each (`id`: the record's, or a pair's `chosen_id`).
   */
  export: z
    .object({
      formats: z.array(z.string()),
      /** Whether the selection's row files carry a `weight` column. */
      weight: z.boolean(),
      files: z.array(z.object({ name: z.string(), rows: z.number().optional() })),
      exported: z.number(),
      notExported: z.number(),
      notExportedByReason: z.record(z.string(), z.number()),
      examples: z.record(z.string(), z.array(z.object({ id: z.string(), message: z.string() }))),
    })
    .optional(),
  /** Pairs jobs (a recipe with `pairs`): groups used and skipped by reason, pairs, gaps. Counts are of members. */
  pairs: PairsReportSchema.optional(),
  /** Identity-attack safety jobs (docs/safety.md). */
  safety: SafetyReportSchema.optional(),
  stages: z.record(z.string(), StageReportSchema),
  seconds: z.number(),
  recipe: z.unknown(),
  outputs: z.array(z.string()),
});
export type Report = z.infer<typeof ReportSchema>;
