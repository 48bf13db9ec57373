import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { MemoryStore, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { cellsPrefix } from '../../../src/pipeline/keys.ts';
import {
  decodeRows,
  decodeRowsAt,
  encodeRows,
  LOCATE_MIN_SHARE,
  shardDigest,
} from '../../../src/pipeline/stages/score/cell-objects.ts';
import type { JobSpec } from '../../../src/pipeline/types.ts';
import { MemoryCellCache, type ScoreRow } from '../../../src/score/index.ts';

describe('cell objects', () => {
  it('encode and decode rows exactly: every number, absent scores, flags and notes', () => {
    const rows: ScoreRow[] = [
      { scores: { a: 0.1 + 0.2, b: -0 } },
      { scores: { a: Number.NaN, b: Number.POSITIVE_INFINITY }, flags: ['x', 'y'], note: 'rule fired' },
      { scores: { b: 1e-300 } },
      { scores: { a: -2.5, b: 3, c: 7 }, note: '' },
    ];
    const back = decodeRows(encodeRows(rows));
    expect(back).toEqual(rows);
    expect(Object.is(back[0].scores.b, -0)).toBe(true);
    expect('a' in back[2].scores).toBe(false);
    expect(decodeRows(encodeRows([]))).toEqual([]);
    // Some rows only, in the order asked: the same rows as a whole decode gives.
    const bytes = encodeRows(rows);
    expect(decodeRowsAt(bytes, [3, 1, 2], rows.length)).toEqual([back[3], back[1], back[2]]);
    expect(decodeRowsAt(bytes, [], rows.length)).toEqual([]);
    // An object of another length is not this hash list's.
    expect(decodeRowsAt(bytes, [0], rows.length + 1)).toBeNull();
  });

  it('names a shard by its distinct hashes in order', () => {
    expect(shardDigest(['a', 'b'])).toBe(shardDigest(['a', 'b']));
    expect(shardDigest(['a', 'b'])).not.toBe(shardDigest(['b', 'a']));
    expect(shardDigest(['a', 'b'])).toMatch(/^[0-9a-f]{32}$/);
  });
});

/** The store with the dataset's text at its upload key, and a job over it. */
async function upload(store: MemoryStore, text: string, id: string, previous?: string): Promise<JobSpec> {
  await store.put('datasets/d/upload', text);
  return {
    id,
    dataset: 'd',
    objects: [(await store.head('datasets/d/upload'))!],
    recipe: RecipeSchema.parse({ shardBytes: 32 * 1024, select: { budget: '30%' } }),
    createdAt: new Date().toISOString(),
    ...(previous ? { previous } : {}),
  };
}

/** A run with no cache, in a store of its own. */
async function cold(text: string) {
  const store = new MemoryStore();
  return runLocal(store, await upload(store, text, 'cold'), {});
}

const cellObjects = (store: MemoryStore) =>
  [...store.objects.keys()].filter((k) => k.startsWith(cellsPrefix('d')));

describe('offline cells through shard objects', () => {
  // Without the demo's exact copies, so that no record's cells sit in a far-away shard.
  const lines = [...new Set(generateDemo({ records: 1500, seed: 11 }).trimEnd().split('\n'))];
  const text = `${lines.join('\n')}\n`;

  it('a re-run reads one object per shard and column, and computes nothing', async () => {
    const store = new MemoryStore();
    const cells = new MemoryCellCache();
    const first = await runLocal(store, await upload(store, text, 'j1'), { cells: () => cells });
    const scorers = Object.keys(first.scoring.byScorer).length;
    const shards = first.stages.score.shards;
    // One object per (shard, column) and one hash list per shard; the index names every record.
    expect(cellObjects(store).length).toBe(shards * (scorers + 1));
    expect(cells.shards.size).toBeGreaterThan(0);
    // Nothing per record: the per-record cells are for model-backed scorers only.
    expect(cells.columns.size).toBe(0);

    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = (key) => {
      if (key.startsWith(cellsPrefix('d'))) reads.push(key);
      return get(key);
    };
    const second = await runLocal(store, await upload(store, text, 'j2', 'j1'), { cells: () => cells });
    expect(second.scoring.computed).toBe(0);
    expect(second.scoring.cached).toBe(first.scoring.computed + first.scoring.cached);
    expect(reads.length).toBe(shards * scorers);
    expect(await memoryOutput(store, 'j2', 'selected.jsonl')).toBe(
      await memoryOutput(store, 'j1', 'selected.jsonl'),
    );
  });

  it('an edit near the start moves every later shard bound: the edited record and the slivers at shard edges are computed again', async () => {
    const store = new MemoryStore();
    const cells = new MemoryCellCache();
    await runLocal(store, await upload(store, text, 'j1'), { cells: () => cells });
    // Record 3 grows by 500 bytes: every shard after the first starts at a different record.
    const edited = [...lines];
    const at = edited.findIndex((l, i) => i >= 3 && l.includes('"output":"') && !l.includes('"output":""'));
    edited[at] = edited[at].replace('"output":"', `"output":"${'A longer answer. '.repeat(30)}`);
    const before = await cold(text);
    const second = await runLocal(store, await upload(store, `${edited.join('\n')}\n`, 'j2', 'j1'), {
      cells: () => cells,
    });
    const scorers = Object.keys(second.scoring.byScorer).length;
    // Each scorer computes the edited record (its content hash is new), and the few records at the
    // edge of each shard that an earlier shard holds too few of to be worth reading
    // (LOCATE_MIN_SHARE); everything else comes from the earlier shards the index points to.
    const perScorer = second.scoring.computed / scorers;
    const shards = second.stages.score.shards;
    expect(perScorer).toBeGreaterThanOrEqual(1);
    expect(perScorer).toBeLessThanOrEqual(1 + shards * Math.ceil(LOCATE_MIN_SHARE * (lines.length / shards)));
    expect(perScorer).toBeLessThan(0.05 * lines.length);
    expect(second.scoring.computed + second.scoring.cached).toBe(before.scoring.computed);
    // And the scores are the ones computed without the cache (with the model frozen for the dataset).
    const uncached = await runLocal(store, await upload(store, `${edited.join('\n')}\n`, 'j3', 'j2'), {});
    expect(uncached.scoring.cached).toBe(0);
    expect(uncached.scores).toEqual(second.scores);
  });

  it('an appended part computes only its own records', async () => {
    const store = new MemoryStore();
    const cells = new MemoryCellCache();
    const spec = await upload(store, text, 'j1');
    const first = await runLocal(store, spec, { cells: () => cells });
    const more = generateDemo({ records: 300, seed: 99 });
    await store.put('datasets/d/part-2', more);
    const second = await runLocal(
      store,
      {
        ...spec,
        id: 'j2',
        previous: 'j1',
        objects: [...spec.objects, (await store.head('datasets/d/part-2'))!],
      },
      { cells: () => cells },
    );
    const alone = await cold(more);
    const scorers = Object.keys(second.scoring.byScorer).length;
    // At most the new part's distinct records, per scorer (fewer where it repeats old content).
    expect(second.scoring.computed).toBeGreaterThan(0);
    expect(second.scoring.computed).toBeLessThanOrEqual(alone.scoring.computed);
    expect(second.scoring.computed % scorers).toBe(0);
    expect(second.scoring.cached).toBeGreaterThanOrEqual(first.scoring.computed);
  });
});
