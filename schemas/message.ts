import { z } from 'zod';

/**
 * A queue message: small, data travels through R2. It names the task: a stage (registered in
 * src/pipeline/stages/index.ts), its named step, the stage's iteration (which fences stale rounds),
 * the task's index in the step (its shard for per-shard steps), and `attempt`, the lease token the
 * coordinator handed out.
 */
export const TaskMessageSchema = z.object({
  v: z.literal(2),
  job: z.string().min(1),
  stage: z.string().min(1),
  step: z.string().min(1),
  iter: z.number().int().nonnegative(),
  shard: z.number().int().nonnegative(),
  attempt: z.number().int().nonnegative(),
});
export type TaskMessage = z.infer<typeof TaskMessageSchema>;
