import { z } from 'zod';

/**
 * Preference data (src/pairs/): responses to one prompt, or rollouts of one task, ranked by a score
 * and paired into chosen/rejected lines for DPO-style training.
 */

/** One response of a responses row: its text, an optional given score, anything else in `meta`. */
export const ResponseSchema = z.looseObject({
  text: z.string().min(1, 'text is empty'),
  score: z.number().finite('score must be a finite number').optional(),
  meta: z.unknown().optional(),
});

const PromptFields = {
  prompt: z.string().min(1, 'prompt is empty').optional(),
  messages: z
    .array(z.looseObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
    .min(1, 'messages is empty')
    .optional(),
};

/** `{prompt | messages, responses: [{text, score?, meta?}]}`: several responses to one prompt. */
export const ResponsesRowSchema = z
  .looseObject({ ...PromptFields, responses: z.array(z.unknown()).min(1, 'responses is empty') })
  .refine((r) => r.prompt !== undefined || r.messages !== undefined, {
    message: 'a responses row needs prompt or messages',
    path: ['prompt'],
  });

/** One row per response: `{group, prompt | messages, text, score?, meta?}`; rows sharing `group` are ranked together. */
export const ResponseRowSchema = z
  .looseObject({
    ...PromptFields,
    group: z.union([z.string().min(1, 'group is empty'), z.number()]),
    text: z.string().min(1, 'text is empty'),
    score: z.number().finite('score must be a finite number').optional(),
  })
  .refine((r) => r.prompt !== undefined || r.messages !== undefined, {
    message: 'a response row needs prompt or messages',
    path: ['prompt'],
  });

/** One step of a rollout; the observation may be a payload or a reference (an R2 key, a URL). */
export const StepSchema = z.looseObject({
  observation: z.unknown().optional(),
  action: z.unknown().refine((a) => a !== undefined && a !== null, 'action is missing'),
  logprob: z.number().max(0, 'logprob must be ≤ 0 (a log-probability)').optional(),
});

/** Costs per stage of a rollout, by cost name: `{grasp: {collision: 1.5, time: 40}}`. */
export const CostsSchema = z.record(
  z.string(),
  z.record(z.string(), z.number().finite('costs must be finite numbers')),
);

/** A robot or agent rollout: `{task, initialState?, steps, success?, costs?}`. */
export const TrajectoryRowSchema = z.looseObject({
  task: z.string().min(1, 'task is empty'),
  initialState: z.unknown().optional(),
  steps: z.array(StepSchema).min(1, 'steps is empty'),
  success: z.boolean().optional(),
  costs: CostsSchema.optional(),
  score: z.number().finite().optional(),
});
export type TrajectoryRow = z.infer<typeof TrajectoryRowSchema>;

/** Cost thresholds τ by stage and cost name. */
const ThresholdsSchema = z.record(z.string(), z.record(z.string(), z.number().finite()));

/**
 * GRAPE's trajectory score, total = λ_self·log R_self + λ_ext·R_ext + λ_success·I:
 * - log R_self = Σ_steps max(logprob, log pFloor): the policy's own likelihood of its actions, each step's
 *   probability floored at `pFloor` (a step without a logprob: see `missingLogprob`);
 * - R_ext = Π_stages exp(−Σ_c β_c · max(0, cost_{s,c} − τ_{s,c})): 1 when every cost is under its threshold;
 * - I = 1 when `success` is true, else 0.
 */
export const TrajectoryScoreSchema = z.strictObject({
  lambda: z
    .strictObject({
      self: z.number().finite().default(0.01),
      external: z.number().finite().default(1),
      success: z.number().finite().default(5),
    })
    .prefault({}),
  /** Each step's probability floor: GRAPE's evaluator uses 0.05. */
  pFloor: z.number().gt(0).max(1).default(0.05),
  /**
   * A step without a `logprob`: `floor` counts it at `pFloor` (the worst a step can count, so a
   * partly logged rollout gains nothing from what it did not log); `skip` leaves the rollout unscored
   * (it is not paired); `error` makes the rollout invalid, naming the step.
   */
  missingLogprob: z.enum(['floor', 'skip', 'error']).default('floor'),
  /** β for every cost name, or per cost name (names not listed: 0.01). */
  beta: z.union([z.number().nonnegative(), z.record(z.string(), z.number().nonnegative())]).default(0.01),
  /** τ by stage and cost name: `default` for every task, `tasks[task]` overriding it; a missing τ is 0. */
  thresholds: z
    .strictObject({
      default: ThresholdsSchema.default({}),
      tasks: z.record(z.string(), ThresholdsSchema).default({}),
    })
    .prefault({}),
});
export type TrajectoryScore = z.infer<typeof TrajectoryScoreSchema>;

export const PAIR_STRATEGY_IDS = ['best-worst', 'best-vs-random', 'all-margin', 'topk-bottomk'] as const;

/**
 * How a group's members (ordered by score, best first; ties by input position) become pairs:
 * - `best-worst`: the best against the worst;
 * - `best-vs-random`: the best against a seeded random other (UltraFeedback's binarization);
 * - `all-margin`: every pair whose score gap is at least `minMargin`, largest gaps first;
 * - `topk-bottomk`: each of the top k against each of the bottom k (k at most half the group).
 */
export const PairStrategySchema = z.discriminatedUnion(
  'id',
  [
    z.strictObject({ id: z.literal('best-worst') }),
    z.strictObject({ id: z.literal('best-vs-random') }),
    z.strictObject({ id: z.literal('all-margin') }),
    z.strictObject({ id: z.literal('topk-bottomk'), k: z.number().int().min(1).max(64).default(2) }),
  ],
  {
    error: (iss) =>
      iss.code === 'invalid_union' && iss.note === 'No matching discriminator'
        ? `unknown pair strategy ${JSON.stringify((iss.input as { id?: unknown } | undefined)?.id)}; known: ${PAIR_STRATEGY_IDS.join(', ')}`
        : undefined,
  },
);
export type PairStrategy = z.infer<typeof PairStrategySchema>;

/** Scores a pairs recipe can rank by without a scorer (any other name is a scorer's output). */
export const BUILTIN_PAIR_SCORES = ['auto', 'given', 'trajectory'] as const;

/** A recipe's `pairs` section: the job builds preference pairs instead of selecting records. */
export const PairsSchema = z.strictObject({
  /**
   * Groups: `prompt` (same prompt text), `group` (the rows' `group` key), `task`, `task+state` (task and
   * initial state). `auto`: `group` for one-row-per-response data, `prompt` for responses rows, `task+state`
   * for rollouts (rollouts without an initial state group by task).
   */
  groupBy: z.enum(['auto', 'prompt', 'group', 'task', 'task+state']).default('auto'),
  /**
   * What members are ranked by: `given` (the data's `score`), `trajectory` (the GRAPE score below), or
   * the name of a score the recipe's scorers write (`quality`, `judge`, …). `auto`: `trajectory` for
   * rollouts, `given` for responses.
   */
  score: z.string().min(1).default('auto'),
  trajectory: TrajectoryScoreSchema.prefault({}),
  strategy: PairStrategySchema.default({ id: 'best-worst' }),
  /** A pair's score gap must be at least this (and always above 0). */
  minMargin: z.number().nonnegative().default(0),
  /** At most this many pairs per group, largest gaps first. */
  maxPerGroup: z.number().int().min(1).optional(),
  /** Rollout groups need at least one `success: true` and one `success: false` (else `no_failure` / `no_success`). */
  requireSuccessAndFailure: z.boolean().default(false),
  /** At most this many pairs in all: the largest gaps, or, with `balanceTasks`, an even share per task. */
  budget: z.number().int().min(1).optional(),
  /** Spread the budget evenly over tasks (prompts for responses): water-filling, largest gaps first in each task. */
  balanceTasks: z.boolean().default(false),
  /** Rollouts in pairs.jsonl: the whole record (`full`), or its id and source (`key`). */
  payload: z.enum(['full', 'key']).default('full'),
  /** Hash partitions groups are gathered in (default: one per 8 MiB of input, 1-1024). */
  partitions: z.number().int().min(1).max(1024).optional(),
});
export type Pairs = z.infer<typeof PairsSchema>;

/** A line of `pairs.jsonl`: TRL's DPO columns, then Winnow's. */
export const PairLineSchema = z.object({
  prompt: z.unknown(),
  chosen: z.unknown(),
  rejected: z.unknown(),
  score_chosen: z.number(),
  score_rejected: z.number(),
  margin: z.number(),
  group: z.string(),
  task: z.string(),
  chosen_id: z.string(),
  rejected_id: z.string(),
  /** The responses' `meta`, when the data gave one. */
  chosen_meta: z.unknown().optional(),
  rejected_meta: z.unknown().optional(),
  round: z.number().int().optional(),
});
export type PairLine = z.infer<typeof PairLineSchema>;

export const GROUP_SKIP_REASONS = [
  'single_response',
  'missing_score',
  'no_failure',
  'no_success',
  'margin_too_small',
  'budget',
] as const;

export type GroupSkipReason = (typeof GROUP_SKIP_REASONS)[number];

/** A line of `groups.jsonl`: every group, used or skipped with its reason. */
export const GroupLineSchema = z.object({
  group: z.string(),
  task: z.string(),
  members: z.number().int(),
  /** Members with a score to rank by. */
  scored: z.number().int(),
  successes: z.number().int().optional(),
  failures: z.number().int().optional(),
  best: z.number().nullable(),
  worst: z.number().nullable(),
  /** Pairs the strategy made (after minMargin and maxPerGroup), and those kept under the budget. */
  candidates: z.number().int(),
  pairs: z.number().int(),
  status: z.enum(['used', 'skipped']),
  reason: z.enum(GROUP_SKIP_REASONS).optional(),
});
export type GroupLine = z.infer<typeof GroupLineSchema>;

/** report.json's `pairs` section. */
export const PairsReportSchema = z.object({
  strategy: z.record(z.string(), z.unknown()),
  score: z.string(),
  groupBy: z.string(),
  pairs: z.number(),
  candidates: z.number(),
  members: z.object({ total: z.number(), scored: z.number(), paired: z.number() }),
  groups: z.object({
    total: z.number(),
    used: z.number(),
    skipped: z.record(z.string(), z.number()),
    /** A few skipped groups' keys per reason; groups.jsonl has every group. */
    examples: z.record(z.string(), z.array(z.string())),
  }),
  tasks: z.object({ total: z.number(), used: z.number() }),
  budget: z.object({ requested: z.number().nullable(), balanced: z.boolean(), quota: z.number().nullable() }),
  margin: z.object({ mean: z.number(), min: z.number(), max: z.number() }).nullable(),
  partitions: z.number(),
});
export type PairsReport = z.infer<typeof PairsReportSchema>;

/** `PUT /v1/pairs/:set`: a pair set's recipe (it must have `pairs`); its rounds are kept when it changes. */
export const PairSetBodySchema = z.strictObject({
  /** A recipe (schemas/recipe.ts) with a `pairs` section; validated like a job's. */
  recipe: z.record(z.string(), z.unknown()),
});

/** `POST /v1/pairs/:set/rounds?scope=`: pair this round's rollouts alone, or every round's so far. */
export const RoundScopeSchema = z.enum(['round', 'all']).default('round');

/** One round of a pair set, as the API shows it. */
export const RoundInfoSchema = z.object({
  round: z.number().int().positive(),
  scope: z.enum(['round', 'all']),
  /** The round's job (absent while its rollouts are being stored). */
  job: z.string().optional(),
  state: z.enum(['uploading', 'running', 'done', 'failed', 'cancelled']),
  error: z.string().nullable(),
  bytes: z.number(),
  createdAt: z.string(),
  /** Once done: its report's pair and group counts. */
  pairs: z.number().optional(),
  groups: z
    .object({ total: z.number(), used: z.number(), skipped: z.record(z.string(), z.number()) })
    .optional(),
  links: z.object({ self: z.string(), pairs: z.string(), job: z.string().optional() }),
});
export type RoundInfo = z.infer<typeof RoundInfoSchema>;

export const PairSetInfoSchema = z.object({
  name: z.string(),
  recipe: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
  rounds: z.array(RoundInfoSchema),
});
export type PairSetInfo = z.infer<typeof PairSetInfoSchema>;

/** `GET /v1/pairs`: every pair set, by name, with its rounds. */
export const PairSetListSchema = z.object({ sets: z.array(PairSetInfoSchema) });
export type PairSetList = z.infer<typeof PairSetListSchema>;
