import { DEFAULT_CHUNK_BYTES, isJsonWhitespace, positiveInt } from './bytes.ts';
import { startsLikeParquet } from './parquet-footer.ts';
import type { RangeSource } from './range-source.ts';
import type { Container } from './types.ts';

const FIRST_READ = 1024;

/**
 * Which container an object uses, by its content (never its name): the Parquet magic `PAR1` (or
 * `PARE`, encrypted) as its first bytes means Parquet (the reader then checks the magic at the end,
 * and refuses an encrypted file by name); otherwise skip a UTF-8 BOM
 * and whitespace, then `[` means a JSON array and anything else JSONL. Returns null when the object is
 * empty or whitespace only.
 */
export async function detectContainer(src: RangeSource, chunkBytes?: number): Promise<Container | null> {
  const maxStep = positiveInt(chunkBytes, DEFAULT_CHUNK_BYTES, 'chunkBytes');
  // The answer is almost always in the first bytes: start small, grow up to chunkBytes.
  let step = Math.min(FIRST_READ, maxStep);
  let bom = 0;
  for (let offset = 0; offset < src.size; step = Math.min(step * 2, maxStep)) {
    const chunk = await src.read(offset, Math.min(step, src.size - offset));
    if (chunk.length === 0) break;
    if (offset === 0 && startsLikeParquet(chunk)) return 'parquet';
    for (let i = 0; i < chunk.length; i++) {
      const at = offset + i;
      const b = chunk[i];
      if (at < 3 && bom === at && b === [0xef, 0xbb, 0xbf][at]) {
        bom++;
        continue;
      }
      if (isJsonWhitespace(b)) continue;
      return b === 0x5b && (bom === 0 || bom === 3) ? 'json-array' : 'jsonl';
    }
    offset += chunk.length;
  }
  return bom > 0 && bom < 3 ? 'jsonl' : null;
}
