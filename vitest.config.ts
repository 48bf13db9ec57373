import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

process.env.API_TOKEN ??= 'test-token';

// Three tiers: `unit` runs platform-free code in Node; `workers` runs routes, consumers, Durable
// Objects and the pipeline inside workerd; `e2e` drives the CLI and `wrangler dev` stacks from Node.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: { API_TOKEN: 'test-token', LEASE_MS: '60000' } },
          }),
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
          testTimeout: 30_000,
        },
      },
    ],
  },
});
