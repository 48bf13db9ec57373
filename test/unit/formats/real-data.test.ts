import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesSource, isOversize, normalizeRecord, planShards } from '../../../src/formats/index.ts';
import { dataFile } from '../../support/data.ts';
import { readAll } from './helpers.ts';

describe('real datasets', () => {
  it('alpaca-random-9k.json: 9229 elements across 300 kB shards equal JSON.parse of the file', async () => {
    const bytes = new Uint8Array(readFileSync(dataFile('alpaca-random-9k.json')));
    const src = bytesSource(bytes);
    const shards = await planShards(src, { part: 0, shardBytes: 300_000 });
    expect(shards.length).toBe(Math.ceil(bytes.length / 300_000));
    const { items, records, lines } = await readAll(src, shards);
    expect([records, lines]).toEqual([9229, 0]);
    const parsed = items.map(({ item }) => (isOversize(item) ? null : JSON.parse(item.text)));
    expect(parsed).toEqual(JSON.parse(new TextDecoder().decode(bytes)));
    const formats = new Set(
      items.map(({ item }) =>
        isOversize(item) ? 'oversize' : normalizeRecord(item.text, 'auto').ok && 'alpaca',
      ),
    );
    expect([...formats]).toEqual(['alpaca']);
  });

  it('alpaca-seed-tasks.jsonl: 175 lines, one record each, in order', async () => {
    const bytes = new Uint8Array(readFileSync(dataFile('alpaca-seed-tasks.jsonl')));
    const expected = new TextDecoder()
      .decode(bytes)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    expect(expected).toHaveLength(175);
    const src = bytesSource(bytes);
    for (const shardBytes of [300_000, 10_000, 777]) {
      const shards = await planShards(src, { part: 0, shardBytes, chunkBytes: 4096 });
      const { items, records, lines } = await readAll(src, shards, { chunkBytes: 4096 });
      expect([records, lines]).toEqual([175, 175]);
      expect(items.map((i) => i.line)).toEqual(expected.map((_, i) => i + 1));
      expect(items.map(({ item }) => (isOversize(item) ? null : JSON.parse(item.text)))).toEqual(expected);
    }
  });
});
