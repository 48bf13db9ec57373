import type { Budget } from '../../schemas/recipe.ts';

export interface BudgetTarget {
  target: number;
  /** False when a count asks for more records than are valid (the target is then all of them). */
  reachable: boolean;
}

/**
 * Records to select out of `valid`. A count is capped at `valid`; a percentage is rounded half up and
 * computed exactly in integers ("12.5%" = 125/1000, so no 0.1 + 0.2 style drift).
 */
export function budgetTarget(budget: Budget, valid: number): BudgetTarget {
  if (!Number.isSafeInteger(valid) || valid < 0)
    throw new RangeError(`valid must be a non-negative integer, got ${valid}`);
  if (typeof budget === 'number') {
    if (!Number.isSafeInteger(budget) || budget < 0)
      throw new RangeError(`budget must be a non-negative integer, got ${budget}`);
    return { target: Math.min(budget, valid), reachable: budget <= valid };
  }
  const m = /^(\d+)(?:\.(\d+))?%$/.exec(budget);
  if (!m)
    throw new RangeError(
      `budget must be a count like 5000 or a percentage like "30%", got ${JSON.stringify(budget)}`,
    );
  const frac = m[2] ?? '';
  const num = BigInt(m[1] + frac); // percent × 10^frac.length
  const den = 100n * 10n ** BigInt(frac.length);
  const target = Number((2n * BigInt(valid) * num + den) / (2n * den)); // round half up
  return { target: Math.min(target, valid), reachable: true };
}
