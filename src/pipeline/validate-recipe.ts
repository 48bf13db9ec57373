import type { Recipe } from '../../schemas/recipe.ts';
import { WinnowError } from '../errors.ts';
import { resolveScorers } from '../score/index.ts';
import { resolveFilters } from '../select/index.ts';

export const STRATEGIES = ['topk'] as const;

/**
 * Check what zod cannot: scorer ids and configs, the strategy id, and that every rank term names
 * a score some scorer writes. Throws one `validation_failed` listing every problem.
 */
export function validateRecipe(recipe: Recipe): void {
  const issues: { path: string; message: string }[] = [];
  let outputs = new Set<string>(['quality']);
  try {
    const scorers = resolveScorers(recipe.scorers);
    outputs = new Set([...outputs, ...scorers.flatMap((s) => s.scorer.outputs)]);
    const writers = scorers.map((s) => ({ id: s.scorer.id, outputs: s.scorer.outputs }));
    issues.push(...resolveFilters(recipe.select.filters, writers).issues);
    for (const s of scorers) {
      const provider = (s.config as { provider?: unknown }).provider;
      if (s.scorer.kind === 'model' && typeof provider === 'string' && !(provider in recipe.providers)) {
        const known = Object.keys(recipe.providers);
        issues.push({
          path: `scorers[${scorers.indexOf(s)}].config.provider`,
          message: `unknown provider "${provider}"; the recipe's providers: ${known.length ? known.join(', ') : '(none)'}`,
        });
      }
    }
  } catch (e) {
    if (!(e instanceof WinnowError)) throw e;
    if (Array.isArray(e.details)) issues.push(...(e.details as { path: string; message: string }[]));
    else issues.push({ path: 'scorers', message: e.message });
  }
  if (!(STRATEGIES as readonly string[]).includes(recipe.select.strategy.id)) {
    issues.push({
      path: 'select.strategy.id',
      message: `unknown strategy "${recipe.select.strategy.id}"; known: ${STRATEGIES.join(', ')}`,
    });
  }
  recipe.select.rank.terms.forEach((t, i) => {
    if (!outputs.has(t.score)) {
      issues.push({
        path: `select.rank.terms[${i}].score`,
        message: `no scorer in the recipe writes "${t.score}"; available: ${[...outputs].sort().join(', ')}`,
      });
    }
  });
  if (issues.length > 0) {
    throw new WinnowError('validation_failed', {
      detail: `recipe is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      details: issues,
    });
  }
}
