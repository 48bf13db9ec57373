/** A `[[queues.consumers]]` entry of wrangler.toml, as wrangler reads it. */
interface QueueConsumer {
  queue: string;
  max_batch_size?: number;
  max_retries?: number;
  dead_letter_queue?: string;
  retry_delay?: number;
}

/**
 * The queue consumers of a wrangler config as Miniflare options, with `maxBatchTimeout: 0`: Miniflare
 * then delivers a batch as soon as a message arrives instead of waiting up to the production 1 s for
 * it to fill, so a pipeline stage hop in the workers tier costs no idle second. Everything else (batch
 * size, retries, dead-letter queue) is the config's own; production keeps its values. Each consumer is
 * given whole, as Miniflare replaces a queue's entry rather than merging it with wrangler's.
 */
export async function immediateQueueConsumers(configPath: string) {
  const { unstable_readConfig } = await import('wrangler');
  const consumers: QueueConsumer[] = unstable_readConfig({ config: configPath }).queues.consumers ?? [];
  return Object.fromEntries(
    consumers.map((c) => [
      c.queue,
      {
        maxBatchSize: c.max_batch_size,
        maxBatchTimeout: 0,
        maxRetries: c.max_retries,
        deadLetterQueue: c.dead_letter_queue,
        retryDelay: c.retry_delay,
      },
    ]),
  );
}
