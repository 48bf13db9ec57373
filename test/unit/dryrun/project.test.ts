import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { HashSample, offlineRecipe, projectSelection, sampleBudget } from '../../../src/dryrun/index.ts';
import { incontextRecords } from '../../../src/dryrun/model-uses.ts';

describe('projectSelection: the sample rates over the whole dataset', () => {
  const sample = {
    sampled: 2000,
    rejectedByReason: { 'filter:heuristics': 100, duplicate: 300, near_duplicate: 50, budget: 999 },
    cut: { lowestSelected: 0.61, highestCut: 0.6 },
  };

  it('scales every reason but budget, then cuts the budget over the whole dataset', () => {
    // scale 10000 / 2000 = 5: filter 500, duplicate 1500, near 250; candidates 10000 − 2250 = 7750;
    // 30% of 10000 = 3000 selected; the budget cuts 7750 − 3000 = 4750.
    const p = projectSelection(10_000, '30%', 'topk', sample);
    expect(p.rejectedByReason).toEqual({
      'filter:heuristics': 500,
      duplicate: 1500,
      near_duplicate: 250,
      budget: 4750,
    });
    expect(p.dedupRate).toBeCloseTo(350 / 2000, 12);
    expect(p.candidates).toBe(7750);
    expect(p.selected).toBe(3000);
    expect(p.budget).toEqual({ requested: '30%', target: 3000, reachable: true });
    expect(p.selected + Object.values(p.rejectedByReason).reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(p.cut).toEqual(sample.cut);
  });

  it('a count budget over the candidates selects them all, unreachable, with no budget cut', () => {
    const p = projectSelection(10_000, 9000, 'topk', sample);
    expect(p.budget).toEqual({ requested: 9000, target: 9000, reachable: false });
    expect(p.selected).toBe(7750);
    expect(p.rejectedByReason.budget).toBeUndefined();
  });

  it('rounds each reason to whole records (scale 9229 / 2000)', () => {
    const p = projectSelection(9229, 3000, 'topk', {
      sampled: 2000,
      rejectedByReason: { 'filter:heuristics': 4, near_duplicate: 1 },
      cut: { lowestSelected: null, highestCut: null },
    });
    // 4 × 4.6145 = 18.458 → 18; 1 × 4.6145 → 5; candidates 9229 − 23 = 9206.
    expect(p.rejectedByReason).toEqual({ 'filter:heuristics': 18, near_duplicate: 5, budget: 6206 });
    expect(p.selected).toBe(3000);
  });
});

describe('sampleBudget', () => {
  it('scales a count to the sample, rounded half up; keeps a percentage', () => {
    expect(sampleBudget(3000, 9229, 2000)).toBe(650); // 650.14
    expect(sampleBudget(5, 10, 3)).toBe(2); // 1.5 → 2
    expect(sampleBudget(500, 400, 400)).toBe(400);
    expect(sampleBudget('12.5%', 9229, 2000)).toBe('12.5%');
  });
});

describe('HashSample: the smallest keys, in input order', () => {
  it('keeps exactly the `size` smallest of 10,000 keys', () => {
    let x = 12345;
    const keys = Array.from({ length: 10_000 }, () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x;
    });
    const s = new HashSample<number>(100);
    for (const [i, k] of keys.entries()) s.offer(k, i);
    const expected = keys
      .map((k, i) => [k, i])
      .sort((a, b) => a[0] - b[0])
      .slice(0, 100)
      .map(([, i]) => i)
      .sort((a, b) => a - b);
    expect(s.items()).toEqual(expected);
  });

  it('keeps a duplicate group (equal keys) whole across the boundary', () => {
    const s = new HashSample<string>(3);
    for (const [k, v] of [
      [5, 'a'],
      [1, 'b'],
      [3, 'c'],
      [3, 'd'],
      [9, 'e'],
      [3, 'f'],
      [2, 'g'],
    ] as const)
      s.offer(k, v);
    // 1 (b), 2 (g), then the group of 3 (c, d, f) whole.
    expect(s.items()).toEqual(['b', 'c', 'd', 'f', 'g']);
  });
});

describe('offlineRecipe: what a dry run leaves out of the sample job', () => {
  const recipe = RecipeSchema.parse({
    providers: {
      lm: { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', pricePer1kTokens: 0.5 },
    },
    scorers: [{ id: 'length' }, { id: 'heuristics' }, { id: 'judge', config: { provider: 'lm' } }],
    select: {
      filters: [
        { score: 'judge', min: 3 },
        { score: 'junk', max: 0.5 },
      ],
      rank: { terms: [{ score: 'judge_p' }, { score: 'length', weight: 2 }] },
      budget: 3000,
    },
  });

  it('drops the model-backed scorer, its filter and rank term, and scales the budget', () => {
    const o = offlineRecipe(recipe, 9229, 2000);
    expect(o.scorers).toEqual(['length', 'heuristics']);
    expect(o.recipe.providers).toEqual({});
    expect(o.recipe.select.filters).toEqual([{ score: 'junk', max: 0.5 }]);
    expect(o.recipe.select.rank.terms).toEqual([{ score: 'length', weight: 2 }]);
    expect(o.recipe.select.budget).toBe(650);
    expect(o.recipe.cache).toBe(false);
    expect(o.leftOut.map((l) => l.path)).toEqual([
      'scorers[2] (judge)',
      'select.filters[0]',
      'select.rank.terms[0]',
    ]);
  });

  it('refuses a pairs recipe', () => {
    const pairs = RecipeSchema.parse({ pairs: {} });
    expect(() => offlineRecipe(pairs, 1, 1)).toThrow(/builds pairs/);
  });
});

describe('incontextRecords: the share of candidates the in-context scorer reaches', () => {
  it('sampleRate of the candidates, at least minPerCluster × k, plus the audit', () => {
    const recipe = RecipeSchema.parse({
      cluster: { k: 8 },
      select: { incontext: { scorer: { id: 'judge', config: { provider: 'lm' } }, sampleRate: 0.1 } },
    });
    // ceil(0.1 × 5000) = 500 ≥ 3 × 8; audit min(200, ceil(5% × 5000) = 250) = 200.
    expect(incontextRecords(recipe, 5000)).toBe(700);
    // ceil(0.1 × 100) = 10 < 24 → 24; audit ceil(5) = 5.
    expect(incontextRecords(recipe, 100)).toBe(29);
  });
});
