import { z } from 'zod';

/**
 * Pipeline stages in the order data flows through them. `plan` runs on the ingest queue; `fit`
 * (only when a scorer learns from data: a sample map over shards, then one task per model) on the score queue.
 * `pairs` replaces embed…export in a recipe with a `pairs` section (preference pairs, on the select queue).
 */
export const StageSchema = z.enum([
  'plan',
  'ingest',
  'fit',
  'score',
  'embed',
  'cluster',
  'select',
  'export',
  'pairs',
]);
export type Stage = z.infer<typeof StageSchema>;

/**
 * A queue message: small, data travels through R2. `iter` fences rounds of iterative
 * stages (select's threshold rounds); `attempt` is the lease token the coordinator handed out.
 */
export const TaskMessageSchema = z.object({
  v: z.literal(1),
  job: z.string().min(1),
  stage: StageSchema,
  shard: z.number().int().nonnegative(),
  iter: z.number().int().nonnegative(),
  attempt: z.number().int().nonnegative(),
});
export type TaskMessage = z.infer<typeof TaskMessageSchema>;
