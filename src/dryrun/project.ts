import type { DryRun, DryRunModelUse, DryRunProvider } from '../../schemas/dryrun.ts';
import type { Budget, Recipe } from '../../schemas/recipe.ts';
import { budgetTarget } from '../select/budget-target.ts';

/** Reasons dedup rejects with (schemas/output.ts). */
const DUPLICATE_REASONS = ['duplicate', 'near_duplicate', 'semantic_duplicate'];

export interface SampleOutcome {
  /** Valid records of the sample. */
  sampled: number;
  /** The sample job's rejections by reason. */
  rejectedByReason: Record<string, number>;
  /** The lowest rank value the sample selected, and the highest the budget left out. */
  cut: DryRun['projected']['cut'];
}

/**
 * Selection over `valid` records, projected from the sample's: every reason but `budget` at the
 * sample's rate (rounded), the candidates left, the budget's target over the whole dataset, and what
 * the budget then cuts. The figures add up: selected + every rejection = valid.
 */
export function projectSelection(
  valid: number,
  budget: Budget,
  strategy: string,
  sample: SampleOutcome,
): DryRun['projected'] {
  const scale = sample.sampled > 0 ? valid / sample.sampled : 0;
  const rejectedByReason: Record<string, number> = {};
  let before = 0;
  let duplicates = 0;
  for (const [reason, n] of Object.entries(sample.rejectedByReason)) {
    if (reason === 'budget' || n === 0) continue;
    const projected = Math.round(n * scale);
    rejectedByReason[reason] = projected;
    before += projected;
    if (DUPLICATE_REASONS.includes(reason)) duplicates += n;
  }
  const candidates = Math.max(0, valid - before);
  const target = budgetTarget(budget, valid);
  const selected = Math.min(target.target, candidates);
  if (candidates > selected) rejectedByReason.budget = candidates - selected;
  return {
    rejectedByReason,
    dedupRate: sample.sampled > 0 ? duplicates / sample.sampled : 0,
    candidates,
    budget: {
      requested: budget,
      target: target.target,
      reachable: target.reachable && candidates >= target.target,
    },
    selected,
    strategy,
    cut: sample.cut,
  };
}

/** Each provider's projected requests and tokens (and cost, given a price) against its requestBudget. */
export function providerLoads(recipe: Recipe, uses: readonly DryRunModelUse[]): DryRunProvider[] {
  const out: DryRunProvider[] = [];
  for (const [name, config] of Object.entries(recipe.providers)) {
    const mine = uses.filter((u) => u.provider === name);
    const requests = mine.reduce((n, u) => n + u.requests, 0);
    const tokens = mine.reduce((n, u) => n + u.promptTokens + u.completionTokens, 0);
    const price = config.pricePer1kTokens;
    out.push({
      name,
      requests,
      tokens,
      requestBudget: config.requestBudget,
      ...(price === undefined ? {} : { pricePer1kTokens: price, cost: (tokens / 1000) * price }),
      overBudget: requests > config.requestBudget,
    });
  }
  return out;
}
