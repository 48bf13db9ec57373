import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

process.env.API_TOKEN ??= 'test-token';

// Two projects: `core` runs platform-free code (and the CLI end to end) in Node;
// `workers` runs routes, consumers, Durable Objects and the pipeline inside workerd.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          environment: 'node',
          include: ['test/core/**/*.test.ts'],
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
    ],
  },
});
