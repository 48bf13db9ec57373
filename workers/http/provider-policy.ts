import type { Recipe } from '../../schemas/recipe.ts';
import { validationError } from '../../src/errors.ts';
import { parsePolicy, providerIssues } from '../../src/providers/index.ts';

/**
 * A recipe's model providers against the operator's policy (the `PROVIDERS` var): a provider the
 * operator does not allow, or a secret not declared for its endpoint, is a 400 naming the provider and
 * how the operator allows it; no request of the job is ever sent.
 */
export function checkProviders(env: Env, recipe: Recipe, at = 'recipe.providers'): void {
  const issues = providerIssues(recipe.providers, parsePolicy(env.PROVIDERS), at);
  if (issues.length > 0) throw validationError('recipe', issues);
}
