import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { OutputLine } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { MemoryStore, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { dataFile } from '../../support/data.ts';

async function run(text: string, recipe: unknown) {
  const store = new MemoryStore();
  await store.put('in', text);
  const spec = {
    id: 'j1',
    dataset: 'd',
    objects: [(await store.head('in'))!],
    recipe: RecipeSchema.parse(recipe),
    createdAt: '',
  };
  const report = await runLocal(store, spec);
  const read = async (file: string) => fromJsonl<OutputLine>(await memoryOutput(store, 'j1', file));
  return {
    report,
    selected: await read('selected.jsonl'),
    rejected: await read('rejected.jsonl'),
    invalid: await read('invalid.jsonl'),
  };
}

describe('runLocal: the pipeline in one process', () => {
  it('selects the same records whatever the shard size', async () => {
    const text = generateDemo({ records: 600, seed: 11 });
    const a = await run(text, { shardBytes: 1_000_000, select: { dedup: false, budget: '20%' } });
    const b = await run(text, { shardBytes: 3000, select: { dedup: false, budget: '20%' } });
    expect(a.report.counts).toEqual(b.report.counts);
    expect(b.selected.map((l) => l.id)).toEqual(a.selected.map((l) => l.id));
    expect(b.invalid.map((l) => l.source)).toEqual(a.invalid.map((l) => l.source));
    expect(a.report.counts.selected).toBe(Math.round(a.report.counts.valid * 0.2));
  });

  it('breaks rank ties by input order, exactly at the budget', async () => {
    // 30 identical answers tie on every score: a budget of 7 keeps the first 7 of them.
    const row = JSON.stringify({ instruction: 'Q', output: 'The same answer every time, word for word.' });
    const text = `${Array.from({ length: 30 }, () => row).join('\n')}\n`;
    const out = await run(text, { shardBytes: 1024, select: { dedup: false, budget: 7 } });
    expect(out.selected.map((l) => l.source.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out.report.threshold).toMatchObject({ ties: 7 });
  });

  it('product ranking over min-max normalized scores stays in [0,1]', async () => {
    const text = generateDemo({ records: 300, seed: 2 });
    const out = await run(text, {
      select: {
        budget: 30,
        rank: {
          terms: [{ score: 'length' }, { score: 'diversity', weight: 2 }],
          combine: 'product',
          normalize: 'minmax',
        },
      },
    });
    expect(out.selected).toHaveLength(30);
    for (const l of out.selected) expect(l.rank).toBeGreaterThanOrEqual(0);
    // Records a default filter rejected carry rank -1; every other rank (duplicates too) is in [0, 1].
    for (const l of out.rejected) {
      if (l.reason === 'identity' || l.reason?.startsWith('filter:')) expect(l.rank).toBe(-1);
      else expect(l.rank).toBeGreaterThanOrEqual(0);
      expect(l.rank).toBeLessThanOrEqual(1);
    }
  });

  it('matches the distributed accounting on alpaca-random-9k', async () => {
    const file = dataFile('alpaca-random-9k.json');
    const out = await run(readFileSync(file, 'utf8'), { shardBytes: 512 * 1024, select: { budget: '30%' } });
    expect(out.report.counts).toEqual({
      input: 9229,
      valid: 9229,
      invalid: 0,
      selected: 2769,
      rejected: 6460,
    });
  });
});
