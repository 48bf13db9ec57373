import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';

describe('select.incontext in the recipe', () => {
  it('refuses ridge 0 at validation, located, before any model call is paid', () => {
    const recipe = (ridge: number) => ({
      cluster: { algorithm: 'kmeans', k: 4 },
      select: { incontext: { scorer: { id: 'golden' }, ridge } },
    });
    const r = RecipeSchema.safeParse(recipe(0));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['select.incontext.ridge']);
    expect(RecipeSchema.safeParse(recipe(0.5)).success).toBe(true);
  });
});

describe('select.incontext.audit in the recipe', () => {
  const recipe = (audit: unknown) => ({
    cluster: { algorithm: 'kmeans', k: 4 },
    select: { incontext: { scorer: { id: 'golden' }, audit } },
  });
  it('takes a count or a percentage, and refuses anything else, located', () => {
    for (const ok of [0, 200, '5%', '100%']) expect(RecipeSchema.safeParse(recipe(ok)).success).toBe(true);
    for (const bad of [-1, 2.5, '5', '150%']) {
      const r = RecipeSchema.safeParse(recipe(bad));
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('select.incontext.audit');
    }
  });
});
