import { createArrayScanner } from './array-scanner.ts';
import { DEFAULT_CHUNK_BYTES, positiveInt } from './bytes.ts';
import { detectContainer } from './detect-container.ts';
import { planParquet } from './parquet-plan.ts';
import type { RangeSource } from './range-source.ts';
import type { ShardRange } from './types.ts';

export { detectContainer } from './detect-container.ts';
export type { Container, ShardRange } from './types.ts';

export interface PlanOptions {
  part: number;
  shardBytes: number;
  /** Read size, default 1 MiB. */
  chunkBytes?: number;
  /** The object's name in errors (its key); default `part <part>`. */
  name?: string;
}

/**
 * Cut one object into shards of about `shardBytes`. JSONL needs no scan: ranges are aligned to lines
 * when read (a line belongs to the shard holding its first byte). A JSON array is scanned once, in
 * chunks, and cut at element starts; structural errors throw `malformed_input`. Parquet is cut into
 * whole row groups from its footer (parquet-plan.ts); a footer that cannot be read throws
 * `malformed_input` naming the object.
 */
export async function planShards(src: RangeSource, opts: PlanOptions): Promise<ShardRange[]> {
  const { part } = opts;
  const shardBytes = positiveInt(opts.shardBytes ?? Number.NaN, 1, 'shardBytes');
  const chunkBytes = positiveInt(opts.chunkBytes, DEFAULT_CHUNK_BYTES, 'chunkBytes');
  if (!Number.isInteger(part) || part < 0) throw new RangeError('part must be a non-negative integer');
  const container = await detectContainer(src, chunkBytes);
  if (container === null) return [];
  if (container === 'jsonl') return planJsonl(src.size, part, shardBytes);
  if (container === 'parquet') return planParquet(src, part, shardBytes, opts.name ?? `part ${part}`);
  return planArray(src, part, shardBytes, chunkBytes);
}

function planJsonl(size: number, part: number, shardBytes: number): ShardRange[] {
  const shards: ShardRange[] = [];
  for (let start = 0; start < size; start += shardBytes) {
    shards.push({ part, container: 'jsonl', start, end: Math.min(size, start + shardBytes) });
  }
  return shards;
}

async function planArray(
  src: RangeSource,
  part: number,
  shardBytes: number,
  chunkBytes: number,
): Promise<ShardRange[]> {
  const shards: ShardRange[] = [];
  let current: ShardRange | null = null;
  const scanner = createArrayScanner();
  const onElement = (start: number, _end: number, index: number): void => {
    if (current === null || start - current.start >= shardBytes) {
      if (current) current.end = start;
      current = { part, container: 'json-array', start, end: -1, firstIndex: index, count: 0 };
      shards.push(current);
    }
    current.count = (current.count ?? 0) + 1;
  };
  for (let offset = 0; offset < src.size; ) {
    const chunk = await src.read(offset, Math.min(chunkBytes, src.size - offset));
    if (chunk.length === 0) break;
    scanner.push(chunk, offset, onElement);
    offset += chunk.length;
  }
  scanner.finish();
  const last = shards[shards.length - 1];
  if (last) last.end = scanner.state.closeAt;
  return shards;
}
