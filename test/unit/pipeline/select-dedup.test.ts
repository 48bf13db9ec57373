import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import {
  dedupEdgesKey,
  dedupLosersKey,
  dedupMapKey,
  memoryJob,
  runLocal,
  type Task,
} from '../../../src/pipeline/index.ts';
import { dedupReduce } from '../../../src/pipeline/stages/select/prepare.ts';
import { dedupParts, MAX_SPANS, spansOf } from '../../../src/pipeline/stages/select/spans.ts';
import type { SelectInput } from '../../../src/pipeline/stages/select/stage.ts';
import {
  decodeLosers,
  packedIndexLength,
  packedSpan,
  packPartitions,
} from '../../../src/select/dedup/index.ts';
import { dataFile } from '../../support/data.ts';

type Row = { instruction: string; input: string; output: string };
const rows = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as Row[]).slice(0, 1500);
// near copies, so that the partitions have edges to agree on
const copies = rows.slice(0, 200).map((r) => ({ ...r, output: `${r.output} Indeed.` }));

describe('dedup reduce reads', () => {
  it('gets each shard part from prepare’s lengths in one read, the same part the index points to', async () => {
    const text = `${[...rows, ...copies].map((r) => JSON.stringify(r)).join('\n')}\n`;
    const recipe = RecipeSchema.parse({
      shardBytes: 60_000,
      scorers: [{ id: 'length' }],
      select: { budget: '50%' },
    });
    const { store, spec } = await memoryJob({ in: text }, recipe, { id: 'dr' });
    const reduces: Task<SelectInput>[] = [];
    await runLocal(
      store,
      spec,
      {},
      {
        afterTask(task) {
          if (task.stage === 'select' && task.step === 'dedup-reduce')
            reduces.push(task as Task<SelectInput>);
        },
      },
    );
    const shards = reduces[0].shards;
    const partitions = reduces[0].input.plan.partitions;
    expect(shards).toBeGreaterThan(4);
    expect(reduces).toHaveLength(partitions);
    let edges = 0;
    for (const t of reduces) {
      const spans = t.input.spans!;
      expect(spans).toHaveLength(2 * shards);
      for (let s = 0; s < shards; s++) {
        const packed = (await store.get(dedupMapKey(spec.id, s)))!;
        const at = packedSpan(packed.subarray(0, packedIndexLength(partitions)), partitions, t.index);
        expect([spans[2 * s], spans[2 * s + 1]]).toEqual([at.offset, at.length]);
      }
      // Without the spans (too many to keep in the stage state), each shard's index is read first.
      const withSpans = await store.get(dedupEdgesKey(spec.id, t.index));
      expect(withSpans?.length).toBeGreaterThan(16);
      const alone = await dedupReduce(store, spec, t.index, partitions, shards);
      expect(await store.get(dedupEdgesKey(spec.id, t.index))).toEqual(withSpans);
      edges += alone.edges;
    }
    expect(edges).toBeGreaterThan(100);
    // Resolve wrote each shard its own losers, and only its own.
    const starts = reduces[0].input.starts;
    let losers = 0;
    for (let s = 0; s < shards; s++) {
      const l = decodeLosers((await store.get(dedupLosersKey(spec.id, s)))!);
      const end = s + 1 < shards ? starts[s + 1] : Number.POSITIVE_INFINITY;
      for (const node of l.node) expect(node >= starts[s] && node < end).toBe(true);
      losers += l.count;
    }
    expect(losers).toBeGreaterThanOrEqual(180);
  });

  it('names the shard whose packed partitions are missing', async () => {
    const { store, spec } = await memoryJob(
      { in: '{"instruction":"a","output":"b"}\n' },
      RecipeSchema.parse({}),
      {
        id: 'none',
      },
    );
    await expect(dedupReduce(store, spec, 0, 4, 2)).rejects.toThrow(
      'dedup partitions of shard 0 are missing',
    );
  });
});

describe('dedup spans', () => {
  const prepared = (parts?: number[]) => ({ records: 1, candidates: 1, ...(parts ? { parts } : {}) });

  it('keeps prepare’s part lengths only when every shard gave them and they are few enough', () => {
    expect(dedupParts([prepared([16, 69]), prepared([122, 16])])).toEqual([
      [16, 69],
      [122, 16],
    ]);
    expect(dedupParts([prepared([16, 69]), prepared()])).toBeUndefined();
    expect(dedupParts([prepared([16, 69]), prepared([122, 16])], 3)).toBeUndefined();
    expect(MAX_SPANS).toBe(65_536);
  });

  it('finds each part where packPartitions put it', () => {
    const shards = [
      [3, 20, 0, 9],
      [1, 1, 1, 1],
    ].map((sizes) => sizes.map((n, p) => Uint8Array.from({ length: n }, () => p + 1)));
    const packed = shards.map(packPartitions);
    const lengths = shards.map((parts) => parts.map((p) => p.length));
    for (let p = 0; p < 4; p++) {
      const spans = spansOf(lengths, p);
      shards.forEach((parts, s) => {
        expect(packed[s].subarray(spans[2 * s], spans[2 * s] + spans[2 * s + 1])).toEqual(parts[p]);
      });
    }
  });
});
