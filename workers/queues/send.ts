import type { TaskMessage } from '../../schemas/message.ts';
import { queueOf } from '../../src/pipeline/advance.ts';
import type { QueueName } from '../../src/pipeline/types.ts';
import type { TaskRef } from '../coordinator-db.ts';

const BATCH = 100; // Queues: at most 100 messages per sendBatch

/** The binding of each queue a stage can run on (src/pipeline/types.ts QueueName). */
export function queueBinding(env: Env, queue: QueueName): Queue {
  const bindings: Record<QueueName, Queue> = {
    ingest: env.INGEST_QUEUE,
    score: env.SCORE_QUEUE,
    select: env.SELECT_QUEUE,
    export: env.EXPORT_QUEUE,
  };
  return bindings[queue];
}

/** Enqueue one message per task on its stage's queue, in batches the platform accepts. */
export async function enqueueTasks(env: Env, job: string, tasks: readonly TaskRef[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += BATCH) {
    const chunk = tasks.slice(i, i + BATCH);
    const byQueue = new Map<Queue, MessageSendRequest<TaskMessage>[]>();
    for (const t of chunk) {
      const q = queueBinding(env, queueOf(t.stage));
      const body: TaskMessage = {
        v: 2,
        job,
        stage: t.stage,
        step: t.step,
        iter: t.iter,
        shard: t.shard,
        attempt: t.attempt,
      };
      byQueue.set(q, [...(byQueue.get(q) ?? []), { body, contentType: 'json' }]);
    }
    for (const [q, msgs] of byQueue) await q.sendBatch(msgs);
  }
}
