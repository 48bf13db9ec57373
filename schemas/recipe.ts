import { z } from 'zod';
import { ProvidersSchema } from './provider.ts';
import { InputFormatSchema } from './record.ts';

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

export const StrategySchema = z.object({
  id: z.string().min(1).default('topk'),
  config: z.record(z.string(), z.unknown()).default({}),
});

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

export const SelectSchema = z.object({
  /** Absent: the default filters of whichever default scorers the recipe runs (see DEFAULT_FILTERS). */
  filters: z.array(FilterSchema).optional(),
  rank: RankSchema.default({ terms: [{ score: 'quality', weight: 1 }], combine: 'sum', normalize: 'none' }),
  strategy: StrategySchema.default({ id: 'topk', config: {} }),
  budget: BudgetSchema.default('30%'),
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
  id: z.string().min(1).default('hashed'),
  config: z.record(z.string(), z.unknown()).default({}),
});

/**
 * Clustering over the embeddings, distributed over shards: k-means (Lloyd) or a diagonal-covariance
 * Gaussian mixture (EM, initialized from k-means). `kGrid` (GMM) picks k by BIC.
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
    /** Records sampled (by content hash) for k-means++ seeding. */
    sampleSize: z.number().int().min(100).max(200_000).default(20_000),
    /** GMM variance floor added to every variance (scikit-learn's reg_covar). */
    varFloor: z.number().nonnegative().default(1e-6),
  })
  .refine((c) => c.k !== undefined || c.kGrid !== undefined, 'cluster needs k or kGrid')
  .refine(
    (c) => c.kGrid === undefined || c.algorithm === 'gmm',
    'kGrid (choice of k by BIC) needs algorithm "gmm"',
  );
export type Cluster = z.infer<typeof ClusterSchema>;

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
  /** The embedder used when the recipe clusters or exports embeddings. */
  embed: EmbedSchema.default({ id: 'hashed', config: {} }),
  /** Absent: no clustering. */
  cluster: ClusterSchema.optional(),
  /** Also write `embeddings.npy` (float32, one row per valid record in input order). */
  exportEmbeddings: z.boolean().default(false),
  select: SelectSchema.default({
    rank: { terms: [{ score: 'quality', weight: 1 }], combine: 'sum', normalize: 'none' },
    strategy: { id: 'topk', config: {} },
    budget: '30%',
  }),
});
export type Recipe = z.infer<typeof RecipeSchema>;
export type RecipeInput = z.input<typeof RecipeSchema>;
