import { mulberry32 } from '../../../src/demo/index.ts';
import {
  bytesSource,
  type OversizeItem,
  planShards,
  type RangeSource,
  type RawItem,
  type ReadShardOptions,
  readShard,
  type ShardRange,
  type ShardTally,
} from '../../../src/formats/index.ts';

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
export const source = (text: string): RangeSource => bytesSource(encode(text));

/** A small seeded PRNG so generated inputs are reproducible. */
export const rng = mulberry32;

/** A source that counts reads and the bytes they returned. */
export function countingSource(bytes: Uint8Array): RangeSource & { reads: number; bytesRead: number } {
  const inner = bytesSource(bytes);
  const src = {
    size: inner.size,
    reads: 0,
    bytesRead: 0,
    async read(offset: number, length: number) {
      const out = await inner.read(offset, length);
      src.reads++;
      src.bytesRead += out.length;
      return out;
    },
  };
  return src;
}

export interface GlobalItem {
  item: RawItem | OversizeItem;
  index: number;
  line?: number;
  shard: number;
}

/** Read every shard in order and turn local positions into global ones, as the coordinator does. */
export async function readAll(
  src: RangeSource,
  shards: ShardRange[],
  opts?: ReadShardOptions,
): Promise<{ items: GlobalItem[]; tallies: ShardTally[]; records: number; lines: number }> {
  const items: GlobalItem[] = [];
  const tallies: ShardTally[] = [];
  let records = 0;
  let lines = 0;
  for (const [shard, range] of shards.entries()) {
    const gen = readShard(src, range, opts);
    let next = await gen.next();
    while (!next.done) {
      // These helpers read JSON containers, whose items are text or oversize (Parquet has its own tests).
      const item = next.value as RawItem | OversizeItem;
      const line = item.localLine === undefined ? undefined : lines + item.localLine;
      items.push({ item, index: records + item.local, line, shard });
      next = await gen.next();
    }
    tallies.push(next.value);
    records += next.value.records;
    lines += next.value.lines;
  }
  return { items, tallies, records, lines };
}

export async function planAndRead(
  text: string | Uint8Array,
  shardBytes: number,
  opts: ReadShardOptions & { chunkBytes?: number } = {},
) {
  const src = typeof text === 'string' ? source(text) : bytesSource(text);
  const shards = await planShards(src, { part: 0, shardBytes, chunkBytes: opts.chunkBytes });
  return { shards, ...(await readAll(src, shards, opts)) };
}

export const SHARD_SIZES = [1, 2, 3, 7, 13, 64, 100, 257, 1000, 4096, 1 << 20];
