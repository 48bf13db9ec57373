import { z } from 'zod';
import { PairsSchema } from './pairs.ts';
import { ProvidersSchema } from './provider.ts';
import { InputFormatSchema } from './record.ts';
import { SafetyRecipeSchema } from './safety.ts';

const MiB = 1024 * 1024;

/** A budget: a record count (`5000`) or a fraction of valid records (`"30%"`). */
export const BudgetSchema = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^(\d+(\.\d+)?)%$/, 'budget must be a count like 5000 or a percentage like "30%"')
    .refine((s) => Number.parseFloat(s) <= 100, 'budget percentage must be at most 100%'),
]);
export type Budget = z.infer<typeof BudgetSchema>;

export const ScorerRefSchema = z.object({
  id: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
});
export type ScorerRef = z.infer<typeof ScorerRefSchema>;

export const RankTermSchema = z.object({
  score: z.string().min(1),
  weight: z.number().positive().default(1),
});

/** How named scores combine into the one rank value in [0,1] that strategies order by. */
export const RankSchema = z.object({
  terms: z
    .array(RankTermSchema)
    .min(1)
    .default([{ score: 'quality', weight: 1 }]),
  /** `sum`: weighted mean of the (normalized) terms; `product`: weighted geometric product (DEITA: complexity × quality). */
  combine: z.enum(['sum', 'product']).default('sum'),
  /** `none`: scores are used as they are (clamped to [0,1]); `minmax`: rescaled by the dataset's min and max. */
  normalize: z.enum(['none', 'minmax']).default('none'),
});
export type Rank = z.infer<typeof RankSchema>;

export const STRATEGY_IDS = ['topk', 'balanced', 'diverse', 'kcenter'] as const;

/**
 * How the budget is spent on the candidates left after filters and dedup:
 * - `topk`: the highest rank values, globally and exactly.
 * - `balanced`: per-cluster quotas (`proportional` to, `equal`, or `sqrt` of each cluster's candidates), no cluster
 *   over `cap` (a count, or a fraction of the budget when < 1); the best ranked of each cluster fill its quota.
 * - `diverse`: DEITA's score-first, diversity-aware greedy, per cluster: records in rank order, one is kept only when its
 *   cosine similarity to every record already kept is below `threshold` (the rest: reason `diversity`); the best
 *   ranked of the kept meet the budget.
 * - `kcenter`: greedy k-center (farthest-first) coverage of the embeddings, per cluster, starting from the best ranked;
 *   records are taken in order of the coverage radius they add.
 */
export const TopkStrategySchema = z.strictObject({ id: z.literal('topk') });
export const BalancedStrategySchema = z.strictObject({
  id: z.literal('balanced'),
  quota: z.enum(['proportional', 'equal', 'sqrt']).default('sqrt'),
  cap: z.number().positive().optional(),
});
export const DiverseStrategySchema = z.strictObject({
  id: z.literal('diverse'),
  threshold: z.number().gt(0).max(1).default(0.9),
});
export const KcenterStrategySchema = z.strictObject({ id: z.literal('kcenter') });

export const StrategySchema = z.discriminatedUnion(
  'id',
  [TopkStrategySchema, BalancedStrategySchema, DiverseStrategySchema, KcenterStrategySchema],
  {
    error: (iss) =>
      iss.code === 'invalid_union' && iss.note === 'No matching discriminator'
        ? `unknown strategy ${JSON.stringify((iss.input as { id?: unknown } | undefined)?.id)}; known: ${STRATEGY_IDS.join(', ')}`
        : undefined,
  },
);
export type Strategy = z.infer<typeof StrategySchema>;
export type StrategyId = Strategy['id'];

/**
 * Duplicates, each group keeping its best ranked record: `exact` (same text after Unicode NFKC, lower case and
 * whitespace normalization: reason `duplicate`), `near` (MinHash-LSH on character shingles, verified by an estimated
 * Jaccard ≥ threshold: `near_duplicate`), `semantic` (SemDeDup: within a cluster, embedding cosine ≥ threshold:
 * `semantic_duplicate`; on by default when the recipe clusters).
 */
export const DedupSchema = z.strictObject({
  exact: z.boolean().default(true),
  near: z
    .union([
      z.literal(false),
      z.strictObject({
        threshold: z.number().min(0).max(1).optional(),
        shingle: z.number().int().min(1).max(32).optional(),
      }),
    ])
    .default({}),
  semantic: z
    .union([z.literal(false), z.strictObject({ threshold: z.number().gt(0).max(1).default(0.95) })])
    .optional(),
  /** Band-key partitions the near-duplicate reduce runs over (default: from the shard count). */
  partitions: z.number().int().min(1).max(256).optional(),
});
export type Dedup = z.infer<typeof DedupSchema>;

/**
 * `weights.jsonl`: a loss / learning-rate multiplier per selected record, from `score` (default: `lr_multiplier`
 * when the self_critique scorer runs, else `quality`), scaled to mean 1 over the selection and clipped to [min, max]
 * (the scale is solved so that the clipped weights still average 1 when the range allows it).
 */
export const WeightsSchema = z
  .strictObject({
    score: z.string().min(1).optional(),
    min: z.number().nonnegative().default(0.5),
    max: z.number().positive().default(2),
  })
  .refine((w) => w.min <= 1 && w.max >= 1, 'weights need min ≤ 1 ≤ max');
export type Weights = z.infer<typeof WeightsSchema>;

/**
 * A hard threshold on one score: records outside `[min, max]` are rejected with reason
 * `filter:<scorer>` (the identity scorer's: `identity`) before ranking. A missing score fails the filter.
 */
export const FilterSchema = z
  .strictObject({
    score: z.string().min(1),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .refine((f) => f.min !== undefined || f.max !== undefined, 'a filter needs min or max')
  .refine((f) => f.min === undefined || f.max === undefined || f.min <= f.max, 'filter min must be ≤ max');
export type Filter = z.infer<typeof FilterSchema>;

/**
 * Accelerated in-context scoring (the golden score, or any model-backed per-record scorer): after
 * clustering, only a per-cluster sample of the candidates is scored with the model (`sampleRate`, at
 * least `minPerCluster` per cluster); every other candidate's score is estimated from the cheap scores
 * (ridge regression), its cluster's offset, and its `neighbours` nearest sampled records. The estimate
 * is written as the score `<output>_est` (the measured value for sampled records), which rank terms
 * can name.
 */
export const InContextSchema = z.strictObject({
  scorer: ScorerRefSchema,
  sampleRate: z.number().gt(0).max(1).default(0.2),
  minPerCluster: z.number().int().min(1).max(1000).default(3),
  neighbours: z.number().int().min(0).max(100).default(10),
  /** Pseudo-records at 0 shrinking each cluster's mean residual; ridge penalty on the cheap scores. */
  clusterPrior: z.number().nonnegative().default(5),
  /** Above 0: without a penalty the fit's normal equations can be singular, after the model calls were paid. */
  ridge: z.number().positive().default(10),
  /**
   * Candidates outside the sample also scored in full, to measure the estimate's agreement on records
   * it never saw: a count, or a share of the candidates like "5%"; 0 turns the audit off. Absent: 5% of
   * the candidates, at most 200. Its model calls count in the report's call ratio.
   */
  audit: z
    .union([
      z.number().int().min(0).max(100_000),
      z
        .string()
        .regex(/^(\d+(\.\d+)?)%$/, 'audit must be a count like 200 or a percentage like "5%"')
        .refine((s) => Number.parseFloat(s) <= 100, 'audit percentage must be at most 100%'),
    ])
    .optional(),
});
export type InContext = z.infer<typeof InContextSchema>;

/**
 * Which records a reserve counts (every condition given must hold): the record carries one of the
 * `flag`s (exact, or a prefix when it ends with `*`: `identity_claim:*`); its `score` lies in
 * [`min`, `max`]; its input row has `field` (a dot path, `safety.category`), equal to `equals` when given.
 */
export const ReserveWhereSchema = z
  .strictObject({
    flag: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(32)]).optional(),
    score: z.string().min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    field: z.string().min(1).max(200).optional(),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .refine(
    (w) => w.flag !== undefined || w.score !== undefined || w.field !== undefined,
    'a reserve needs flag, score or field',
  )
  .refine((w) => w.score !== undefined || (w.min === undefined && w.max === undefined), {
    message: 'min and max bound a score: set score',
    path: ['score'],
  })
  .refine((w) => w.score === undefined || w.min !== undefined || w.max !== undefined, {
    message: 'a score condition needs min or max',
    path: ['min'],
  })
  .refine((w) => w.min === undefined || w.max === undefined || w.min <= w.max, {
    message: 'min must be ≤ max',
    path: ['min'],
  })
  .refine((w) => w.equals === undefined || w.field !== undefined, {
    message: 'equals compares a field: set field',
    path: ['field'],
  });
export type ReserveWhere = z.infer<typeof ReserveWhereSchema>;

/**
 * A share of the budget kept for records matching `where` (docs/recipe.md#reserves): the best ranked
 * of them that pass the filters, dedup and the strategy's refusals, at least `min` (a count, or a
 * share of the budget like "10%"), are selected first; the strategy fills the rest of the budget.
 * Fewer matching records than `min`: all of them are kept, and the report says the reserve was short.
 */
export const ReserveSchema = z.strictObject({
  /** How the report names it; absent: `reserve[<i>]`. */
  name: z.string().min(1).max(100).optional(),
  where: ReserveWhereSchema,
  min: z.union([
    z.number().int().min(1),
    z
      .string()
      .regex(/^(\d+(\.\d+)?)%$/, 'min must be a count like 300 or a share of the budget like "10%"')
      .refine((s) => Number.parseFloat(s) <= 100, 'min percentage must be at most 100%'),
  ]),
});
export type Reserve = z.infer<typeof ReserveSchema>;

/** Reserves a recipe may have (each is a few rounds of the exact top-k). */
export const MAX_RESERVES = 8;

export const SelectSchema = z.object({
  /** Absent: the default filters of whichever default scorers the recipe runs (see DEFAULT_FILTERS). */
  filters: z.array(FilterSchema).optional(),
  /** `false`: no deduplication. */
  dedup: z.union([z.literal(false), DedupSchema]).prefault({}),
  rank: RankSchema.default({ terms: [{ score: 'quality', weight: 1 }], combine: 'sum', normalize: 'none' }),
  strategy: StrategySchema.default({ id: 'topk' }),
  budget: BudgetSchema.default('30%'),
  weights: WeightsSchema.prefault({}),
  incontext: InContextSchema.optional(),
  /** Shares of the budget kept for records matching a condition (identity defence data), in order. */
  reserve: z.array(ReserveSchema).min(1).max(MAX_RESERVES).optional(),
});

/** Every offline scorer that needs no user input (DSIR needs a target, the classifier needs labels). */
export const DEFAULT_SCORERS = [
  { id: 'length', config: {} },
  { id: 'lexical', config: {} },
  { id: 'heuristics', config: {} },
  { id: 'identity', config: {} },
  { id: 'perplexity', config: {} },
];

/** Filters applied when a recipe gives none, each only when its scorer runs. */
export const DEFAULT_FILTERS: readonly { scorer: string; filter: Filter }[] = [
  { scorer: 'heuristics', filter: { score: 'junk', max: 0.5 } },
  { scorer: 'identity', filter: { score: 'identity', max: 0.5 } },
];

/** How learning scorers (perplexity, dsir, classifier, golden) are fitted before scoring. */
export const FitSchema = z.strictObject({
  /** Records of the dataset sampled (uniformly, by content hash) to fit on. */
  sampleSize: z.number().int().min(100).max(200_000).default(20_000),
  /** Models are fitted once per dataset and reused (so appended records do not rescore everything); `true` refits. */
  refit: z.boolean().default(false),
});

/** How records become vectors (src/embed/): an embedder id and its config. */
export const EmbedSchema = z.strictObject({
  id: z.string().min(1).default('tfidf'),
  config: z.record(z.string(), z.unknown()).default({}),
});

/**
 * Clustering over the embeddings: k-means (Lloyd) or a diagonal-covariance Gaussian mixture (EM,
 * initialized from k-means). `kGrid` (GMM) picks k by BIC. `fit` says where the fit runs: in one task
 * on a hash-uniform sample of `sampleSize` records, then one pass assigning every record (`sample`), or
 * as map-reduce iterations over every shard (`full`).
 */
export const ClusterSchema = z
  .strictObject({
    algorithm: z.enum(['kmeans', 'gmm']).default('kmeans'),
    k: z.number().int().min(1).max(1024).optional(),
    kGrid: z.array(z.number().int().min(1).max(1024)).min(2).max(16).optional(),
    /** Reduce the embeddings to this dimension before clustering. */
    dim: z.number().int().min(2).max(1024).optional(),
    /** How `dim` is reached: a seeded random projection, or PCA fitted over every shard (two more passes). */
    reduce: z.enum(['random', 'pca']).default('random'),
    maxIter: z.number().int().min(1).max(500).default(50),
    /** k-means: relative change of inertia; GMM: change of mean log-likelihood per record. */
    tol: z.number().positive().default(1e-4),
    seed: z.number().int().optional(),
    /** Records sampled (by the hash of their id): the sample the fit runs on, or (`fit: "full"`) that seeds k-means++. */
    sampleSize: z.number().int().min(100).max(200_000).default(20_000),
    /**
     * `sample`: k-means / the GMM (every k of `kGrid`, and the PCA of `reduce: "pca"`) run to convergence
     * in one task on the sample, then one pass over every shard assigns each record and computes the
     * final statistics; `sample` given here shrinks the sample to what one task can fit. `full`: Lloyd /
     * EM iterations as map-reduce over every shard. Absent: `sample` when `sampleSize` records fit one
     * Worker's memory and CPU (docs/embeddings.md, "Where the fit runs"), else `full`.
     */
    fit: z.enum(['sample', 'full']).optional(),
    /**
     * k-means++ starts on the sample, the one with the least inertia kept (scikit-learn's n_init); the
     * GMM starts from it. Only the `sample` fit restarts: `full` runs one start (each start would be
     * another pass of map-reduce iterations). Absent: 10 starts, or as many as fit one task's CPU
     * budget with the sample (at least 1); the report's `clusters.fit.starts` says how many ran.
     */
    nInit: z.number().int().min(1).max(20).optional(),
    /** GMM variance floor added to every variance (scikit-learn's reg_covar). */
    varFloor: z.number().nonnegative().default(1e-6),
  })
  .refine((c) => c.k !== undefined || c.kGrid !== undefined, 'cluster needs k or kGrid')
  .refine(
    (c) => c.kGrid === undefined || c.algorithm === 'gmm',
    'kGrid (choice of k by BIC) needs algorithm "gmm"',
  );
export type Cluster = z.infer<typeof ClusterSchema>;

/** The trainer-ready files a selection or pairs job can write (docs/exports.md). */
export const EXPORT_FORMATS = ['trl', 'alpaca', 'sharegpt', 'llamafactory', 'axolotl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Trainer-ready exports (docs/exports.md), written beside selected.jsonl:
 * - `trl`: `train.jsonl`, `{"messages": [{role, content}, …]}` per selected record (TRL's conversational
 *   format); for a pairs job, TRL's conversational preference format `{prompt, chosen, rejected}`;
 * - `alpaca`: `train.alpaca.jsonl`, LLaMA-Factory's alpaca columns `{instruction, input, output, system, history}`;
 * - `sharegpt`: `train.sharegpt.jsonl`, `{conversations: [{from: "human" | "gpt", value}], system}`;
 * - `llamafactory`: `dataset_info.json` describing the files written (and `train.jsonl`; for a pairs
 *   job `train.ranking.jsonl`, its ranking format);
 * - `axolotl`: `axolotl.yaml`, a `datasets:` entry for `train.jsonl` (chat_template; DPO for a pairs job).
 * Every row of a file has the same keys with the same types. A selected record that is not a
 * conversation of the shape trainers accept (one leading system turn at most, then user and assistant
 * turns alternating, ending with the assistant) is left out of every file and counted in the report.
 * `weight`: a `weight` column (the record's weights.jsonl value; 1 when it has none) on every row of
 * the selection files (not for pairs).
 */
export const ExportSchema = z.strictObject({
  formats: z.array(z.enum(EXPORT_FORMATS)).default([]),
  weight: z.boolean().default(true),
  /**
   * Also write every part file as Parquet, laid out as the Hugging Face Hub expects
   * (`<config>/train-00000-of-000NN.parquet`): `data/` the trainer rows of `train.jsonl`, then
   * `selected/`, `rejected/`, `invalid/`, `weights/`, `alpaca/`, `sharegpt/` (a pairs job: `pairs/`,
   * `ranking/`). One declared type per column in every part (docs/exports.md#parquet).
   */
  parquet: z.boolean().default(false),
  /** Write the dataset card `README.md` (provenance.json is always written). */
  card: z.boolean().default(true),
  /** The card's `license` (a Hugging Face license id such as `apache-2.0`, `cc-by-nc-4.0`). */
  license: z.string().min(1).max(100).default('unknown'),
});
export type Export = z.infer<typeof ExportSchema>;

export const RecipeSchema = z.strictObject({
  /** Record format; `auto` detects it per record from its keys. */
  format: InputFormatSchema.default('auto'),
  /** Target bytes of input per shard; shards end on record boundaries. */
  shardBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * MiB)
    .default(4 * MiB),
  seed: z.number().int().default(0),
  scorers: z.array(ScorerRefSchema).default(DEFAULT_SCORERS),
  /** Model endpoints, by name, for model-backed scorers (`config.provider`). */
  providers: ProvidersSchema.default({}),
  fit: FitSchema.default({ sampleSize: 20_000, refit: false }),
  /** Reuse score cells computed by earlier jobs on the same dataset (same content, scorer, version, config). */
  cache: z.boolean().default(true),
  /**
   * What the job keeps once it ended: `outputs` (its outputs, job.json and what a later job's diff
   * reads) or `all` (every intermediate too: shards, scores, vectors, cluster and select steps).
   */
  keep: z.enum(['outputs', 'all']).default('outputs'),
  /** The embedder used when the recipe clusters or exports embeddings. */
  embed: EmbedSchema.default({ id: 'tfidf', config: {} }),
  /** Absent: no clustering. */
  cluster: ClusterSchema.optional(),
  /** Also write `embeddings.npy` (float32, one row per valid record in input order). */
  exportEmbeddings: z.boolean().default(false),
  select: SelectSchema.prefault({}),
  /**
   * Preference pairs instead of a selection: the job reads responses or rollouts, ranks each group's
   * members and writes pairs.jsonl (schemas/pairs.ts). Embedding, clustering and `select` do not run.
   */
  pairs: PairsSchema.optional(),
  /**
   * Identity-attack safety instead of a selection (docs/safety.md): generate defence data from the
   * drafts the job reads, or benchmark a model on the attacks it reads. Only plan, ingest and the
   * safety stage run.
   */
  safety: SafetyRecipeSchema.optional(),
  /** Trainer-ready files (TRL, Alpaca, ShareGPT, LLaMA-Factory, axolotl) beside the job's outputs. */
  export: ExportSchema.prefault({}),
});
export type Recipe = z.infer<typeof RecipeSchema>;
export type RecipeInput = z.input<typeof RecipeSchema>;
