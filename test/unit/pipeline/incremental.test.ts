import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { getScorer, MemoryCellCache } from '../../../src/score/index.ts';
import { dataFile } from '../../support/data.ts';

const ALPACA = dataFile('alpaca-random-9k.json');

describe('incremental re-scoring through the cell cache', () => {
  it('a new scorer version recomputes that scorer cells only, and selects from the new scores', async () => {
    const rows = (JSON.parse(readFileSync(ALPACA, 'utf8')) as unknown[]).slice(0, 800);
    const recipe = RecipeSchema.parse({ shardBytes: 64 * 1024 });
    const cells = new MemoryCellCache();
    const deps = { cells: () => cells };
    const a = await memoryJob({ 'datasets/d/upload': JSON.stringify(rows) }, recipe, { id: 'j1' });
    const first = await runLocal(a.store, a.spec, deps);
    const lexical = getScorer('lexical') as { version: number };
    const version = lexical.version;
    try {
      // A release of the lexical scorer: its column is keyed by the new version.
      lexical.version = version + 1;
      const second = await runLocal(a.store, { ...a.spec, id: 'j2', previous: 'j1' }, deps);
      const valid = first.counts.valid;
      for (const [id, c] of Object.entries(second.scoring.byScorer)) {
        expect(c.computed, id).toBe(id === 'lexical' ? first.scoring.byScorer.lexical.computed : 0);
        expect(c.computed + c.cached, id).toBeLessThanOrEqual(valid);
      }
      expect(second.scoring.computed).toBe(first.scoring.byScorer.lexical.computed);
      // Same code under the new version number: the same selection, and an empty diff.
      expect(await memoryOutput(a.store, 'j2', 'selected.jsonl')).toBe(
        await memoryOutput(a.store, 'j1', 'selected.jsonl'),
      );
      expect(second.diff?.counts).toMatchObject({ entered: 0, left: 0, rescored: 0 });
      // And once more with nothing changed: no cell computed at all.
      const third = await runLocal(a.store, { ...a.spec, id: 'j3', previous: 'j2' }, deps);
      expect(third.scoring.computed).toBe(0);
    } finally {
      lexical.version = version;
    }
  });
});
