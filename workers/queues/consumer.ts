import { type TaskMessage, TaskMessageSchema } from '../../schemas/message.ts';
import { isWinnowError, type WinnowError } from '../../src/errors.ts';
import { runTask } from '../../src/pipeline/run-task.ts';
import { coordinator, type LeaseResult } from '../coordinator.ts';
import { r2Store } from '../r2-store.ts';
import { taskDeps } from '../task-deps.ts';

/** Errors that no retry can fix: fail the job at once, with the error's own words. */
const FATAL = new Set([
  'malformed_input',
  'unknown_scorer',
  'unknown_strategy',
  'validation_failed',
  'dataset_empty',
  'reference_missing',
  'input_changed',
  'unknown_provider',
  'provider_not_allowed',
  'request_budget_exhausted',
  'too_many_shards',
]);

/** A model endpoint's 4xx other than 408/429 (bad model name, bad key): retrying the task cannot help. */
function refusedByEndpoint(e: WinnowError): boolean {
  const status = (e.details as { status?: unknown } | undefined)?.status;
  return (
    e.code === 'provider_error' &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    status !== 408 &&
    status !== 429
  );
}

/**
 * Every stage queue lands here. A message is acked only after the coordinator accepted its
 * report (or said the task needs no work: done, stale, cancelled); otherwise it is retried.
 */
export async function handleTask(env: Env, message: Message<unknown>): Promise<void> {
  const parsed = TaskMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    console.error('dropping malformed task message', JSON.stringify(message.body).slice(0, 200));
    message.ack();
    return;
  }
  const msg: TaskMessage = parsed.data;
  const stub = coordinator(env, msg.job);
  // The RPC type mapper cannot see that `unknown` recipe fields are serializable: restore the type.
  const { context } = (await stub.lease(msg)) as unknown as LeaseResult;
  if (!context) {
    message.ack();
    return;
  }
  let result: unknown;
  try {
    result = await runTask(r2Store(env.DATA_BUCKET), context, taskDeps(env));
  } catch (e) {
    const fatal = isWinnowError(e) && (FATAL.has(e.code) || refusedByEndpoint(e));
    const text = e instanceof Error ? e.message : String(e);
    console.error(`task ${msg.job}:${msg.stage}:${msg.step}:${msg.iter}:${msg.shard} failed: ${text}`);
    const { retry } = await stub.fail(msg, text, fatal);
    if (retry) message.retry({ delaySeconds: Math.min(30, 2 ** message.attempts) });
    else message.ack();
    return;
  }
  await stub.complete(msg, result);
  message.ack();
}

/** Messages that exhausted their retries fail their job with a readable reason. */
export async function handleDeadLetter(env: Env, message: Message<unknown>): Promise<void> {
  const parsed = TaskMessageSchema.safeParse(message.body);
  if (parsed.success) await coordinator(env, parsed.data.job).deadLetter(parsed.data);
  message.ack();
}

export async function queue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const handler = batch.queue.endsWith('-dlq') ? handleDeadLetter : handleTask;
  for (const message of batch.messages) {
    try {
      await handler(env, message);
    } catch (e) {
      // The coordinator could not be reached: leave the message to the queue's retries.
      console.error(`queue ${batch.queue}: ${e instanceof Error ? e.message : String(e)}`);
      message.retry({ delaySeconds: 1 });
    }
  }
}
