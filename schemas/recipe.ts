import { z } from 'zod';
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

export const SelectSchema = z.object({
  rank: RankSchema.default({ terms: [{ score: 'quality', weight: 1 }], combine: 'sum', normalize: 'none' }),
  strategy: StrategySchema.default({ id: 'topk', config: {} }),
  budget: BudgetSchema.default('30%'),
});

export const DEFAULT_SCORERS = [
  { id: 'length', config: {} },
  { id: 'lexical', config: {} },
];

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
  select: SelectSchema.default({
    rank: { terms: [{ score: 'quality', weight: 1 }], combine: 'sum', normalize: 'none' },
    strategy: { id: 'topk', config: {} },
    budget: '30%',
  }),
});
export type Recipe = z.infer<typeof RecipeSchema>;
export type RecipeInput = z.input<typeof RecipeSchema>;
