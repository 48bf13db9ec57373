import { WinnowError } from '../errors.ts';
import { createArrayScanner } from './array-scanner.ts';
import { decodeRecord } from './bytes.ts';
import type { RangeSource } from './range-source.ts';
import { createRecordBuffer } from './record-buffer.ts';
import type { OversizeItem, RawItem, ReadLimits, ShardRange, ShardTally } from './types.ts';

/**
 * Read the `count` elements a JSON-array shard owns, starting at the first byte of its first element.
 * Each element's text is its exact bytes, trimmed of surrounding whitespace.
 */
export async function* readArray(
  src: RangeSource,
  range: ShardRange,
  { chunkBytes, maxRecordBytes }: ReadLimits,
): AsyncGenerator<RawItem | OversizeItem, ShardTally> {
  const count = range.count ?? 0;
  const scanner = createArrayScanner({ atElement: range.start });
  const state = scanner.state;
  const buf = createRecordBuffer();
  // The last element ends at the `,` or `]` at `end` at the latest.
  const limit = Math.min(src.size, range.end + 1);
  let pos = range.start;
  let done = 0;
  const ready: Array<RawItem | OversizeItem> = [];

  while (done < count && pos < limit) {
    const chunk = await src.read(pos, Math.min(chunkBytes, limit - pos));
    if (chunk.length === 0) break;
    const chunkPos = pos;
    scanner.push(chunk, chunkPos, (start, end, local) => {
      if (local >= count) return;
      if (end > chunkPos) buf.append(chunk.subarray(Math.max(start, chunkPos) - chunkPos, end - chunkPos));
      const bytes = end - start;
      const taken = buf.take(bytes, bytes > maxRecordBytes);
      if ('head' in taken) ready.push({ oversize: true, offset: start, local, bytes, head: taken.head });
      else {
        const { text, notUtf8 } = decodeRecord(taken.bytes);
        ready.push({ text, offset: start, local, ...(notUtf8 === undefined ? {} : { notUtf8 }) });
      }
    });
    pos += chunk.length;
    if (state.expect === 'element' && state.elementStart >= 0) {
      // An element continues into the next chunk: keep its bytes, or only its head once oversize.
      buf.append(chunk.subarray(Math.max(state.elementStart, chunkPos) - chunkPos));
      if (state.lastSig - state.elementStart > maxRecordBytes) buf.drop();
    }
    for (const item of ready) {
      done++;
      yield item;
    }
    ready.length = 0;
  }
  if (done < count) {
    throw new WinnowError('malformed_input', {
      path: `byte ${pos}`,
      detail: `expected ${count} array elements from byte ${range.start}, found ${done} (did the object change after planning?)`,
    });
  }
  return { records: done, lines: 0 };
}
