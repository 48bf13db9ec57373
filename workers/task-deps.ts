import type { TaskDeps } from '../src/pipeline/run-task.ts';
import { type AiBinding, createProviders } from '../src/providers/index.ts';
import { scoreCache, vectorCache } from './score-cache.ts';

/**
 * What stages get from the platform: the dataset's cell cache, and model endpoints with the
 * Worker's secrets (for `apiKeySecret`) and the Workers AI binding when one is configured.
 */
export function taskDeps(env: Env): TaskDeps {
  const vars = env as unknown as Record<string, unknown>;
  const secrets: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) if (typeof v === 'string') secrets[k] = v;
  return {
    cells: (dataset) => scoreCache(env, dataset),
    vectors: (dataset) => vectorCache(env, dataset),
    providers: (configs) =>
      createProviders(configs, { fetch, secrets, ai: vars.AI as AiBinding | undefined }),
  };
}
