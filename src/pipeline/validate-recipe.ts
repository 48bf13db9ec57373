import type { Recipe } from '../../schemas/recipe.ts';
import { resolveEmbedder } from '../embed/index.ts';
import { WinnowError } from '../errors.ts';
import { resolveScorers } from '../score/index.ts';
import { lateOutputMessage, resolveFilters } from '../select/index.ts';

export const STRATEGIES = ['topk'] as const;

/**
 * Check what zod cannot: scorer ids and configs, the strategy id, and that every rank term names
 * a score some scorer writes. Throws one `validation_failed` listing every problem.
 */
export function validateRecipe(recipe: Recipe): void {
  const issues: { path: string; message: string }[] = [];
  let outputs = new Set<string>(['quality']);
  let late = new Set<string>();
  try {
    const scorers = resolveScorers(recipe.scorers);
    outputs = new Set([...outputs, ...scorers.flatMap((s) => s.scorer.outputs)]);
    // Outputs known only at export (a softmax over the dataset) cannot be filtered or ranked by.
    late = new Set(scorers.flatMap((s) => s.scorer.dataset?.names(s.config) ?? []));
    for (const name of late) outputs.delete(name);
    const writers = scorers.map((s) => ({
      id: s.scorer.id,
      outputs: s.scorer.outputs.filter((o) => !late.has(o)),
    }));
    issues.push(...resolveFilters(recipe.select.filters, writers, late).issues);
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
  if (recipe.cluster || recipe.exportEmbeddings) {
    try {
      const { config } = resolveEmbedder(recipe.embed);
      const provider = (config as { provider?: unknown }).provider;
      if (typeof provider === 'string' && !(provider in recipe.providers)) {
        issues.push({ path: 'embed.config.provider', message: `unknown provider "${provider}"` });
      }
    } catch (e) {
      if (!(e instanceof WinnowError)) throw e;
      issues.push(
        ...((e.details as { path: string; message: string }[] | undefined) ?? [
          { path: 'embed', message: e.message },
        ]),
      );
    }
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
        message: late.has(t.score)
          ? lateOutputMessage(t.score)
          : `no scorer in the recipe writes "${t.score}"; available: ${[...outputs].sort().join(', ')}`,
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
