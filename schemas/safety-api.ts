import { z } from 'zod';
import { DatasetNameSchema } from './api.ts';
import { ProvidersSchema } from './provider.ts';
import { SafetyCategorySchema, SafetyIdentitySchema } from './safety.ts';

/** The routes of identity-attack safety (workers/http/safety.ts, docs/safety.md). */

/** POST /v1/safety/generate. */
export const SafetyGenerateRequestSchema = z.strictObject({
  identity: SafetyIdentitySchema,
  count: z.number().int().min(1).max(20_000).default(300),
  seed: z.number().int().default(0),
  categories: z.array(SafetyCategorySchema).min(1).optional(),
  /** Model endpoints by name (as in a recipe); `provider` names the one that paraphrases. */
  providers: ProvidersSchema.default({}),
  provider: z.string().min(1).optional(),
});
export type SafetyGenerateRequest = z.input<typeof SafetyGenerateRequestSchema>;

/** POST /v1/safety/bench. */
export const SafetyBenchRequestSchema = z.strictObject({
  identity: SafetyIdentitySchema,
  providers: ProvidersSchema,
  target: z.string().min(1),
  judge: z.string().min(1).optional(),
  system: z.string().max(20_000).optional(),
  /** Your own attack set (any input format); absent: a held-out set is generated. */
  dataset: DatasetNameSchema.optional(),
  /** The held-out set: its size and seed (disjoint by content hash from every set generated for the identity). */
  count: z.number().int().min(1).max(20_000).default(200),
  seed: z.number().int().default(1),
  categories: z.array(SafetyCategorySchema).min(1).optional(),
  maxTokens: z.number().int().min(16).max(4096).optional(),
});
export type SafetyBenchRequest = z.input<typeof SafetyBenchRequestSchema>;

export const SafetyJobCreatedSchema = z.object({
  id: z.string(),
  /** The dataset the job reads: the drafts, or the attack set. */
  dataset: z.string(),
  /** Held-out sets: attacks dropped because a generated training set already holds them. */
  excluded: z.number().int().optional(),
});
