import { z } from 'zod';
import { JobIdSchema, RunIdSchema } from './api.ts';

const eta = z.number().min(0).max(100).default(1);
const epsilon = z.number().min(0).max(1).default(0.1);
/** EMA rate of the per-component loss statistics, per observation batch (before importance correction). */
const beta = z.number().gt(0).max(1).default(0.2);
const signal = z.enum(['loss', 'decrease']).default('decrease');

/**
 * How the sampler spreads a batch over the mixture components (formulas in docs/sampler.md, "Policies"):
 * - `uniform`: every example equally likely (component k with probability n_k / N);
 * - `balanced`: every component equally likely; an example is served at most `cap` times;
 * - `loss`: p_k = (1 − ε)·π_k·e^(η·z_k) / Σ_j π_j·e^(η·z_j) + ε·π_k with π_k = n_k/N, z_k the normalized recent loss or loss decrease;
 * - `gmm`: the same weights, spread over examples by their posterior responsibilities; with `refresh`,
 *   responsibilities are re-weighted by each component's loss distribution as losses come in;
 * - `mixture`: `loss`'s weights over a prior that uses the job's Gaussian mixture: π_k ∝ n_k·e^(γ·z(H_k))
 *   with H_k the entropy of component k (its spread, `spread` γ), and each example served when its turn
 *   comes with probability 1 − τ·(1 − u_i), u_i its typicality (its log-density's rank in its component,
 *   `typicality` τ); with `refresh`, typicality and spread are re-estimated from embeddings the trainer
 *   sends with its losses.
 */
export const SamplerPolicySchema = z.discriminatedUnion('id', [
  z.strictObject({ id: z.literal('uniform') }),
  z.strictObject({ id: z.literal('balanced'), cap: z.number().int().min(1).optional() }),
  z.strictObject({ id: z.literal('loss'), eta, epsilon, beta, signal }),
  z.strictObject({ id: z.literal('gmm'), eta, epsilon, beta, signal, refresh: z.boolean().default(true) }),
  z.strictObject({
    id: z.literal('mixture'),
    eta,
    epsilon,
    beta,
    signal,
    /**
     * γ: how much a component's spread (its Gaussian's entropy, standardized) tilts its prior; 0 (the
     * default): none. Its sign is the data's: in the simulator it helps only when the broad component is
     * the noise (docs/sampler.md, "Evidence").
     */
    spread: z.number().min(-4).max(4).default(0),
    /** τ: how much less the least typical example of a component is served than the most typical. */
    typicality: z.number().min(0).max(0.9).default(0.5),
    refresh: z.boolean().default(true),
  }),
]);
export type SamplerPolicy = z.infer<typeof SamplerPolicySchema>;

export const SamplerCreateSchema = z.strictObject({
  /** A finished job: its selected records are the training set, its clusters the components. */
  job: JobIdSchema,
  batchSize: z.number().int().min(1).max(8192),
  seed: z.number().int().default(0),
  policy: SamplerPolicySchema.default({ id: 'uniform' }),
  /** Stop after this many examples per selected record have been served (default: no end). */
  epochs: z.number().gt(0).optional(),
});
export type SamplerCreate = z.infer<typeof SamplerCreateSchema>;

export const NextBodySchema = z.strictObject({
  /** The step wanted: the next one (default), or one already served (answered again, identically). */
  step: z.number().int().min(0).optional(),
  /** Include each record as it was given. */
  records: z.boolean().default(false),
});

export const BatchSchema = z.object({
  step: z.number(),
  ids: z.array(z.string()),
  /** Each example's training weight from the job's weights.jsonl (mean 1 over the selection), in `ids` order. */
  weights: z.array(z.number()),
  components: z.array(z.number()),
  records: z.array(z.unknown()).optional(),
});
export type Batch = z.infer<typeof BatchSchema>;

export const FeedbackBodySchema = z
  .strictObject({
    step: z.number().int().min(0),
    ids: z.array(z.string()).min(1).max(8192),
    losses: z.array(z.number()),
    /**
     * Optional, policy `mixture` with `refresh`: each example's embedding in the trainer's space (a
     * hidden state, or a projection of it), in `ids` order, every one of the same dimension.
     */
    embeddings: z.array(z.array(z.number()).min(1).max(4096)).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.losses.length !== b.ids.length)
      ctx.addIssue({
        code: 'custom',
        path: ['losses'],
        message: `${b.losses.length} losses for ${b.ids.length} ids`,
      });
    b.losses.forEach((l, i) => {
      if (!Number.isFinite(l))
        ctx.addIssue({ code: 'custom', path: ['losses', i], message: 'not a finite number' });
    });
    if (b.embeddings) {
      if (b.embeddings.length !== b.ids.length)
        ctx.addIssue({
          code: 'custom',
          path: ['embeddings'],
          message: `${b.embeddings.length} embeddings for ${b.ids.length} ids`,
        });
      const dim = b.embeddings[0]?.length;
      for (const [i, e] of b.embeddings.entries()) {
        if (e.length !== dim) {
          ctx.addIssue({
            code: 'custom',
            path: ['embeddings', i],
            message: `${e.length} values where embeddings[0] has ${dim}`,
          });
          break;
        }
        const j = e.findIndex((v) => !Number.isFinite(v));
        if (j >= 0) {
          ctx.addIssue({ code: 'custom', path: ['embeddings', i, j], message: 'not a finite number' });
          break;
        }
      }
    }
  });
export type FeedbackBody = z.infer<typeof FeedbackBodySchema>;

export const ComponentStatusSchema = z.object({
  component: z.number(),
  size: z.number(),
  weight: z.number(),
  served: z.number(),
  epoch: z.number(),
  feedback: z.number(),
  /** EMA of reported losses, and of their decrease (null before any feedback). */
  loss: z.number().nullable(),
  decrease: z.number().nullable(),
  retired: z.boolean(),
  /** Policy `mixture`: the component's spread (entropy of its Gaussian; from the trainer's embeddings once refreshed). */
  spread: z.number().nullable().optional(),
  /** Policy `mixture`: embeddings the trainer reported for the component. */
  embeddings: z.number().optional(),
});

export const SamplerStatusSchema = z.object({
  id: z.string(),
  job: z.string(),
  state: z.enum(['loading', 'ready', 'exhausted', 'failed']),
  error: z.string().nullable(),
  policy: SamplerPolicySchema,
  batchSize: z.number(),
  seed: z.number(),
  examples: z.number(),
  step: z.number(),
  served: z.number(),
  /** The mean training weight of the examples served so far (null before the first batch). */
  meanWeightServed: z.number().nullable(),
  feedbackSteps: z.number(),
  components: z.array(ComponentStatusSchema),
});
export type SamplerStatus = z.infer<typeof SamplerStatusSchema>;

/** `GET /v1/runs`: newest first, `limit` at a time; `before` (the last page's `next`) pages on. */
export const SamplerListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: RunIdSchema.optional(),
});

export const SamplerListSchema = z.object({
  runs: z.array(SamplerStatusSchema),
  /** Pass as `before` for the next page; null on the last. */
  next: z.string().nullable(),
});
export type SamplerList = z.infer<typeof SamplerListSchema>;
