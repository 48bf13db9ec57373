import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { isWinnowError } from '../../../src/errors.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';

/** The recipe's validation issues (path: message), or [] when it is valid. */
function issues(recipe: unknown, at?: string): string[] {
  try {
    validateRecipe(RecipeSchema.parse(recipe), at);
    return [];
  } catch (e) {
    if (!isWinnowError(e) || e.code !== 'validation_failed') throw e;
    return (e.details as { path: string; message: string }[]).map((i) => `${i.path}: ${i.message}`);
  }
}

describe('recipe export', () => {
  it('defaults to no format, with weights', () => {
    expect(RecipeSchema.parse({}).export).toEqual({
      formats: [],
      weight: true,
      parquet: false,
      card: true,
      license: 'unknown',
    });
    expect(RecipeSchema.parse({ export: { formats: ['trl'] } }).export).toMatchObject({
      formats: ['trl'],
      weight: true,
    });
  });

  it('an unknown format or key is a zod issue at its path', () => {
    const r = RecipeSchema.safeParse({ export: { formats: ['trl', 'openai'], weights: false } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'export.formats.1',
        'Invalid option: expected one of "trl"|"alpaca"|"sharegpt"|"llamafactory"|"axolotl"',
      ],
      ['export', 'Unrecognized key: "weights"'],
    ]);
  });

  it('a format listed twice is located', () => {
    expect(issues({ export: { formats: ['trl', 'alpaca', 'trl'] } }, 'recipe')).toEqual([
      'recipe.export.formats[2]: "trl" is listed twice (also at export.formats[0])',
    ]);
  });

  it('a pairs job exports trl, llamafactory and axolotl, never alpaca or sharegpt, and never rollouts', () => {
    expect(issues({ pairs: {}, export: { formats: ['trl', 'llamafactory', 'axolotl'] } })).toEqual([]);
    expect(issues({ pairs: {}, export: { formats: ['trl', 'sharegpt', 'alpaca'] } })).toEqual([
      'export.formats[1]: "sharegpt" holds one answer per prompt; a pairs job exports preference pairs: trl, llamafactory or axolotl',
      'export.formats[2]: "alpaca" holds one answer per prompt; a pairs job exports preference pairs: trl, llamafactory or axolotl',
    ]);
    expect(issues({ format: 'trajectory', pairs: {}, export: { formats: ['trl'] } })).toEqual([
      'export.formats: rollouts are not conversations: a trajectory pairs job has no trainer export (pairs.jsonl holds its pairs)',
    ]);
    expect(issues({ format: 'trajectory', pairs: {} })).toEqual([]);
  });
});
