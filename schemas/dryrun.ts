import { z } from 'zod';
import { BudgetSchema } from './recipe.ts';

/**
 * The model requests one use of a provider is projected to send for the whole dataset: a
 * model-backed scorer in `scorers`, the in-context scorer (`select.incontext`), the classifier's
 * `labelsFrom`, or a model embedder. Tokens are estimated at 4 characters a token.
 */
export const DryRunModelUseSchema = z.object({
  /** Where the recipe asks for it: `scorers[1]`, `select.incontext.scorer`, `embed`, … */
  path: z.string(),
  /** The scorer (or embedder) id. */
  id: z.string(),
  provider: z.string(),
  /** Records it sends requests for (distinct contents per shard, as the score stage does). */
  records: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  /** The prompts' tokens: the rendered prompt templates and the records' text, at 4 characters a token. */
  promptTokens: z.number().int().nonnegative(),
  /** At most this many generated tokens (the scorer's `maxTokens` per chat request; 0 for prompt log-probs). */
  completionTokens: z.number().int().nonnegative(),
  /** How the figure was reached (what it counts, what it assumes). */
  note: z.string(),
});
export type DryRunModelUse = z.infer<typeof DryRunModelUseSchema>;

/** A recipe provider's projected load, against its `requestBudget`. */
export const DryRunProviderSchema = z.object({
  name: z.string(),
  requests: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  requestBudget: z.number().int().nonnegative(),
  /** The provider's `pricePer1kTokens`, when the recipe gives one. */
  pricePer1kTokens: z.number().nonnegative().optional(),
  /** tokens / 1000 × pricePer1kTokens (prompt and at most the completion tokens). */
  cost: z.number().nonnegative().optional(),
  /** The projected requests exceed the requestBudget: the job would fail when it runs out. */
  overBudget: z.boolean(),
});
export type DryRunProvider = z.infer<typeof DryRunProviderSchema>;

/**
 * `winnow run --dry-run --json`: what a job would do with this input and recipe, worked out in the
 * CLI's process without the local stack and without calling a model. Counts of the input are exact
 * (every record is read and validated); what selection does is projected from a hash-uniform sample
 * of the valid records, run through the offline part of the recipe.
 */
export const DryRunSchema = z.object({
  /** The input file. */
  input: z.string(),
  /** Exact: every record of the input was read and validated. */
  counts: z.object({
    input: z.number().int().nonnegative(),
    valid: z.number().int().nonnegative(),
    invalid: z.number().int().nonnegative(),
  }),
  /** Invalid records by error code (exact). */
  invalidByCode: z.record(z.string(), z.number().int().nonnegative()),
  /** The first few invalid records: where, and why. */
  invalidExamples: z.array(z.object({ at: z.string(), code: z.string(), message: z.string() })),
  sample: z.object({
    /** `--sample`: the valid records asked for. */
    requested: z.number().int().positive(),
    /** Valid records in the sample (all of them when there are fewer). */
    records: z.number().int().nonnegative(),
    /** The seed of the hash the sample is drawn by (the recipe's `seed`). */
    seed: z.number().int(),
    /** The sample's budget: the recipe's percentage, or its count scaled to the sample. */
    budget: BudgetSchema,
  }),
  /** The offline scorers that ran on the sample, and what of the recipe was left out of it, and why. */
  scorers: z.array(z.string()),
  leftOut: z.array(z.object({ path: z.string(), why: z.string() })),
  /** Selection over the whole dataset, projected from the sample's rates. */
  projected: z.object({
    /** Rejections by reason (`filter:heuristics`, `duplicate`, `near_duplicate`, `diversity`, `budget`, …). */
    rejectedByReason: z.record(z.string(), z.number().int().nonnegative()),
    /** Share of the valid records rejected as duplicates of any kind (exact, near, semantic). */
    dedupRate: z.number().min(0).max(1),
    /** Records left for the budget: valid, not filtered, not a duplicate, not refused by the strategy. */
    candidates: z.number().int().nonnegative(),
    budget: z.object({
      requested: BudgetSchema,
      target: z.number().int().nonnegative(),
      reachable: z.boolean(),
    }),
    selected: z.number().int().nonnegative(),
    /** The strategy that spent the budget: with any but `topk`, the cut falls per cluster. */
    strategy: z.string(),
    /**
     * Where the budget cut falls in the sample: the lowest rank value selected and the highest one
     * left out by the budget (null when nothing was selected or nothing was cut).
     */
    cut: z.object({ lowestSelected: z.number().nullable(), highestCut: z.number().nullable() }),
  }),
  /** Model requests and tokens for the whole dataset, per use, then per provider. */
  models: z.array(DryRunModelUseSchema),
  providers: z.array(DryRunProviderSchema),
  /** No provider's projected requests exceed its requestBudget (the CLI exits 1 otherwise). */
  withinBudget: z.boolean(),
  seconds: z.number().nonnegative(),
});
export type DryRun = z.infer<typeof DryRunSchema>;
