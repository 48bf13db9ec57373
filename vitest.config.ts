import { availableParallelism } from 'node:os';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { configDefaults, defineConfig } from 'vitest/config';
import { TEST_MAX_UPLOAD_BYTES } from './test/support/limits.ts';
import { WRANGLER_TOML } from './test/support/queues.ts';
import { TierSequencer } from './test/support/sequencer.ts';

process.env.API_TOKEN ??= 'test-token';

const UNIT = {
  environment: 'node',
  // Worker threads start faster than forked processes (measured: 66 s against 84 s for the tier).
  pool: 'threads',
  // Generous: the heaviest unit test takes about 10 s alone, and the full run shares the cores.
  testTimeout: 60_000,
} as const;
/** Files that register into a global registry (a scorer, an embedder, a stage): each gets a fresh module graph. */
const UNIT_ISOLATED = [
  'test/unit/**/registry.test.ts',
  'test/unit/pipeline/custom-stage.test.ts',
  'test/unit/pipeline/scoring.test.ts',
];

// Three tiers: `unit` (and `unit-isolated`) runs platform-free code in Node; `workers` runs routes,
// consumers, Durable Objects and the pipeline inside workerd; `e2e` drives the CLI and `wrangler dev`
// stacks from Node. `npm run test:unit` runs both unit projects (`--project 'unit*'`).
export default defineConfig({
  test: {
    // Vitest's default is one worker less than the cores (one on a 2-core machine). The e2e files
    // mostly wait on `wrangler dev`, so a whole run takes one worker more than the cores, and the
    // sequencer alternates e2e files with CPU-bound ones. The CPU-bound tiers alone run one worker per
    // core (`--maxWorkers=100%` in package.json): more only contend (unit tier: 70 s against 90 s).
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: TierSequencer },
    // The tests read public datasets from ../shared/data beside the clone: fail early when it is absent.
    globalSetup: ['test/support/require-data.ts'],
    projects: [
      // The unit tier is two projects. Most files share their worker's modules (`isolate: false`):
      // importing src/ again for each of ~60 small files was a third of the tier's time (measured:
      // 44 s against 57 s). Files that register into a global registry keep a fresh module graph
      // each: `unit-isolated`.
      {
        test: {
          ...UNIT,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT_ISOLATED],
          isolate: false,
        },
      },
      {
        test: { ...UNIT, name: 'unit-isolated', include: UNIT_ISOLATED },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: WRANGLER_TOML },
            miniflare: {
              // A test-sized upload limit (test/support/limits.ts).
              bindings: {
                API_TOKEN: 'test-token',
                LEASE_MS: '60000',
                MAX_UPLOAD_BYTES: String(TEST_MAX_UPLOAD_BYTES),
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          // A job's own deadline (waitForJob: 110 s) fails first, with the job's status in the message.
          testTimeout: 120_000,
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
