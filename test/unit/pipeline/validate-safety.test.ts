import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { issuesOf } from '../../../src/errors.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';

const identity = { name: 'Aria', developer: 'Acme' };
const issues = (recipe: unknown) => {
  try {
    validateRecipe(RecipeSchema.parse(recipe), 'recipe');
    return [];
  } catch (e) {
    return issuesOf(e).map((i) => [i.path, i.code, i.message]);
  }
};

describe('a safety recipe runs its safety stage only', () => {
  it('refuses pairs, cluster, in-context scoring and reserves beside it, each located', () => {
    const generate = { scorers: [], safety: { task: 'generate', identity, count: 10 } };
    expect(issues(generate)).toEqual([]);
    const why =
      'a safety recipe generates defence data instead of a selection: it neither builds pairs, clusters nor selects';
    expect(issues({ ...generate, pairs: { payload: 'key' } })).toContainEqual([
      'recipe.pairs',
      'conflict',
      why,
    ]);
    expect(issues({ ...generate, cluster: { k: 4 } })).toEqual([['recipe.cluster', 'conflict', why]]);
    expect(
      issues({ ...generate, select: { reserve: [{ where: { flag: 'identity_probe' }, min: 1 }] } }),
    ).toEqual([['recipe.select.reserve', 'conflict', why]]);
    const bench = {
      scorers: [],
      providers: { model: { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } },
      safety: { task: 'bench', identity, target: 'model' },
    };
    expect(issues(bench)).toEqual([]);
    expect(issues({ ...bench, cluster: { k: 2 }, pairs: { payload: 'key' } }).map((i) => i[0])).toEqual(
      expect.arrayContaining(['recipe.pairs', 'recipe.cluster']),
    );
    expect(issues({ ...bench, cluster: { k: 2 } })[0][2]).toContain('a safety recipe benchmarks a model');
  });

  it('refuses a reserve in a pairs recipe, located', () => {
    expect(
      issues({ pairs: { payload: 'key' }, select: { reserve: [{ where: { flag: 'x' }, min: 1 }] } }),
    ).toContainEqual([
      'recipe.select.reserve',
      'conflict',
      'a pairs recipe builds pairs instead of a selection: it neither clusters nor selects',
    ]);
  });
});
