import type { TaskDeps } from '../src/pipeline/run-task.ts';
import {
  type AiBinding,
  applyPolicy,
  createProviders,
  parsePolicy,
  policySecrets,
} from '../src/providers/index.ts';
import { scoreCache, vectorCache } from './score-cache.ts';

/**
 * What stages get from the platform: the dataset's cell cache, and model endpoints under the
 * operator's policy (the `PROVIDERS` var): a recipe's provider runs only where the operator allows,
 * with only the secret declared for it; no other variable of the Worker (never API_TOKEN) reaches the
 * provider layer. And the Workers AI binding when one is configured.
 */
export function taskDeps(env: Env): TaskDeps {
  const vars = env as unknown as Record<string, unknown>;
  const policy = parsePolicy(env.PROVIDERS);
  const secrets = policySecrets(vars, policy);
  return {
    cells: (dataset) => scoreCache(env, dataset),
    vectors: (dataset) => vectorCache(env, dataset),
    providers: (configs, budgetParts) =>
      createProviders(applyPolicy(configs, policy), {
        fetch,
        secrets,
        ai: vars.AI as AiBinding | undefined,
        budgetParts,
      }),
  };
}
