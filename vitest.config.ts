import { availableParallelism } from 'node:os';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { immediateQueueConsumers, WRANGLER_TOML } from './test/support/queues.ts';

process.env.API_TOKEN ??= 'test-token';

// Three tiers: `unit` runs platform-free code in Node; `workers` runs routes, consumers, Durable
// Objects and the pipeline inside workerd; `e2e` drives the CLI and `wrangler dev` stacks from Node.
export default defineConfig({
  test: {
    // Vitest's default is one worker less than the cores (one worker on a 2-core machine): at least two
    // run here, so a file that waits on wrangler or a model server does not hold up the rest.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          // Worker threads start faster than forked processes (measured: 66 s against 84 s for the tier).
          pool: 'threads',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: WRANGLER_TOML },
            miniflare: {
              bindings: { API_TOKEN: 'test-token', LEASE_MS: '60000' },
              // Test-only: stage hops are delivered at once (test/support/queues.ts).
              queueConsumers: await immediateQueueConsumers(WRANGLER_TOML),
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          // One shared `wrangler dev` stack for the tier (test/e2e/global-setup.ts).
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
