import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './data.ts';

/** The repository's wrangler config: production values, which the tests never change. */
export const WRANGLER_TOML = join(REPO_ROOT, 'wrangler.toml');

/** A `[[queues.consumers]]` entry of wrangler.toml, as wrangler reads it. */
interface QueueConsumer {
  queue: string;
  max_batch_size?: number;
  max_batch_timeout?: number;
  max_retries?: number;
  dead_letter_queue?: string;
  retry_delay?: number;
}

// Why the tests deliver batches at once: a queue consumer with room in its batch waits up to
// `max_batch_timeout` (1 s in production) for more messages, and every pipeline stage hop is a queue
// message, so a job of a dozen hops idles for about as many seconds. Miniflare honours 0 (it flushes
// on the next tick); batch size, retries and the dead-letter queue stay the config's own.

/**
 * wrangler.toml's queue consumers as Miniflare options with `maxBatchTimeout: 0`, for the workers
 * tier. Each consumer is given whole, as Miniflare replaces a queue's entry rather than merging it.
 */
export async function immediateQueueConsumers(configPath = WRANGLER_TOML) {
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

/**
 * A copy of wrangler.toml for test stacks under `wrangler dev` (the e2e tier), written as
 * `<dir>/wrangler.json` and returned: the same Worker, bindings and vars, with `max_batch_timeout = 0`
 * on every queue consumer and `main` made absolute (wrangler resolves it from the config's folder).
 */
export async function writeTestWranglerConfig(dir: string, configPath = WRANGLER_TOML): Promise<string> {
  const { experimental_readRawConfig } = await import('wrangler');
  const raw = experimental_readRawConfig({ config: configPath }).rawConfig as {
    main: string;
    queues?: { consumers?: QueueConsumer[] };
  };
  const config = {
    ...raw,
    main: resolve(REPO_ROOT, raw.main),
    queues: {
      ...raw.queues,
      consumers: raw.queues?.consumers?.map((c) => ({ ...c, max_batch_timeout: 0 })),
    },
  };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'wrangler.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
