import type { Stage, TaskMessage } from '../../schemas/message.ts';

const BATCH = 100; // Queues: at most 100 messages per sendBatch

export function queueFor(env: Env, stage: Stage): Queue {
  switch (stage) {
    case 'plan':
    case 'ingest':
      return env.INGEST_QUEUE;
    case 'fit':
    case 'score':
    case 'embed':
      return env.SCORE_QUEUE;
    case 'cluster':
    case 'select':
    case 'pairs':
      return env.SELECT_QUEUE;
    case 'export':
      return env.EXPORT_QUEUE;
  }
}

/** Enqueue one message per task, in batches the platform accepts. */
export async function enqueueTasks(
  env: Env,
  job: string,
  tasks: readonly { stage: Stage; iter: number; shard: number; attempt: number }[],
): Promise<void> {
  for (let i = 0; i < tasks.length; i += BATCH) {
    const chunk = tasks.slice(i, i + BATCH);
    const byQueue = new Map<Queue, MessageSendRequest<TaskMessage>[]>();
    for (const t of chunk) {
      const q = queueFor(env, t.stage);
      const body: TaskMessage = {
        v: 1,
        job,
        stage: t.stage,
        shard: t.shard,
        iter: t.iter,
        attempt: t.attempt,
      };
      byQueue.set(q, [...(byQueue.get(q) ?? []), { body, contentType: 'json' }]);
    }
    for (const [q, msgs] of byQueue) await q.sendBatch(msgs);
  }
}
