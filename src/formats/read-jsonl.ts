import { decodeRecord, NEWLINE, startsWithBom } from './bytes.ts';
import type { RangeSource } from './range-source.ts';
import { createRecordBuffer } from './record-buffer.ts';
import type { OversizeItem, RawItem, ReadLimits, ShardRange, ShardTally } from './types.ts';

const CR = 0x0d;

/**
 * Read the lines a JSONL shard owns: those whose first byte lies in [start, end), Hadoop style.
 * A shard that starts mid-object reads from start - 1 and skips through the first newline (the line
 * it lands in belongs to the previous shard); it reads past `end` to finish its last line.
 * A UTF-8 byte order mark is skipped at the start of any line (files joined with `cat` keep theirs).
 */
export async function* readJsonl(
  src: RangeSource,
  range: ShardRange,
  { chunkBytes, maxRecordBytes }: ReadLimits,
): AsyncGenerator<RawItem | OversizeItem, ShardTally> {
  const { start, end } = range;
  const size = src.size;
  const tally: ShardTally = { records: 0, lines: 0 };
  const buf = createRecordBuffer(maxRecordBytes + 1);
  let pos = start === 0 ? 0 : start - 1;
  /** First byte of the line being read (for ownership); -1 while skipping the previous shard's line. */
  let lineStart = start === 0 ? 0 : -1;
  /** First byte of its content (after a BOM for the line at 0). */
  let contentStart = 0;
  if (start === 0 && size >= 3 && startsWithBom(await src.read(0, 3))) pos = contentStart = 3;

  const finishLine = (): RawItem | OversizeItem | null => {
    tally.lines++;
    const length = buf.length - (buf.lastByte === CR ? 1 : 0);
    const oversize = length > maxRecordBytes;
    const taken = buf.take(length, oversize);
    const at = { offset: contentStart, local: tally.records, localLine: tally.lines };
    if ('head' in taken) {
      tally.records++;
      return { oversize: true, ...at, bytes: length, head: taken.head };
    }
    // A byte order mark at the start of a line, as files joined with `cat` have, is not part of it.
    const bom = startsWithBom(taken.bytes) ? 3 : 0;
    const { text, notUtf8 } = decodeRecord(bom ? taken.bytes.subarray(bom) : taken.bytes);
    if (text.trim() === '') return null;
    tally.records++;
    return { text, ...at, offset: at.offset + bom, ...(notUtf8 === undefined ? {} : { notUtf8 }) };
  };

  while (pos < size) {
    // Skipping and already past `end` with no newline: no line starts in this shard.
    if (lineStart < 0 && pos >= end) return tally;
    const chunk = await src.read(pos, Math.min(chunkBytes, size - pos));
    if (chunk.length === 0) break;
    for (let i = 0; i < chunk.length; ) {
      const nl = chunk.indexOf(NEWLINE, i);
      if (lineStart >= 0) buf.append(chunk.subarray(i, nl < 0 ? chunk.length : nl));
      if (nl < 0) break;
      if (lineStart >= 0) {
        const item = finishLine();
        if (item) yield item;
      }
      lineStart = contentStart = pos + nl + 1;
      if (lineStart >= end) return tally;
      i = nl + 1;
    }
    pos += chunk.length;
  }
  // End of object: a last line without a final newline.
  if (lineStart >= 0 && lineStart < size) {
    const item = finishLine();
    if (item) yield item;
  }
  return tally;
}
