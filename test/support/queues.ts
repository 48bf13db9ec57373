import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './data.ts';

/** The repository's wrangler config: production values, which the tests never change. */
export const WRANGLER_TOML = join(REPO_ROOT, 'wrangler.toml');

/** A `[[queues.consumers]]` entry of wrangler.toml, as wrangler reads it. */
interface QueueConsumer {
  queue: string;
  max_batch_timeout?: number;
}

/**
 * A copy of wrangler.toml with every queue consumer's `max_batch_timeout` set to `seconds`, written as
 * `<dir>/wrangler.json` and returned (`main` made absolute: wrangler resolves it from the config's
 * folder). bench/hops.ts runs the old 1 s against the repository's 0 in the same run.
 */
export async function writeWranglerConfig(
  dir: string,
  seconds: number,
  configPath = WRANGLER_TOML,
): Promise<string> {
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
      consumers: raw.queues?.consumers?.map((c) => ({ ...c, max_batch_timeout: seconds })),
    },
  };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'wrangler.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
