import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { dryRun, offlineRecipe } from '../../../src/dryrun/index.ts';

const DEFENCE = { flag: ['identity_probe', 'identity_override'] };

describe('a dry run of a recipe with reserves', () => {
  it('scales count reserves to the sample (rounded down) and leaves out those matching on a model score', () => {
    const recipe = RecipeSchema.parse({
      providers: { lm: { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } },
      scorers: [{ id: 'length' }, { id: 'identity' }, { id: 'judge', config: { provider: 'lm' } }],
      select: {
        budget: 3000,
        reserve: [
          { name: 'defence', where: DEFENCE, min: 300 },
          { name: 'judged', where: { score: 'judge', min: 4 }, min: '10%' },
          { name: 'attacks', where: { score: 'identity_attack', min: 1 }, min: '5%' },
        ],
      },
    });
    const o = offlineRecipe(recipe, 9229, 2000);
    // 300 × 2000 / 9229 = 65.01; the sample's budget is 650 (3000 × 2000 / 9229, rounded half up).
    expect(o.recipe.select.budget).toBe(650);
    expect(o.recipe.select.reserve).toEqual([
      { name: 'defence', where: DEFENCE, min: 65 },
      { name: 'attacks', where: { score: 'identity_attack', min: 1 }, min: '5%' },
    ]);
    expect(o.leftOut.map((l) => l.path)).toContain('select.reserve[1]');
    // Before the input is read (no valid record known), nothing is refused.
    expect(() => offlineRecipe(recipe, 0, 0)).not.toThrow();
  });

  it('refuses reserves larger than the dataset budget, as the job would, located', async () => {
    const recipe = RecipeSchema.parse({
      scorers: [{ id: 'length' }, { id: 'identity' }],
      select: { budget: '10%', reserve: [{ where: DEFENCE, min: 30 }] },
    });
    const rows = Array.from({ length: 200 }, (_, i) => ({
      instruction: `Question ${i} about topic ${i * 7}`,
      output: `Answer ${i}: ${'word '.repeat(5 + (i % 40))}`,
    }));
    const input = new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join('\n'));
    await expect(dryRun(input, recipe)).rejects.toThrow(
      /select\.reserve\[0\]\.min: reserves 30 records but the budget is 20/,
    );
    // Within the budget, the sample job runs with the reserve scaled to it.
    const ok = RecipeSchema.parse({
      ...recipe,
      select: { ...recipe.select, reserve: [{ where: DEFENCE, min: 15 }] },
    });
    const run = await dryRun(input, ok, { sample: 100 });
    expect(run.projected.budget.target).toBe(20);
  });
});
