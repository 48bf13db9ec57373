import { Gunzip } from 'fflate';
import { type Crc32, crc32 } from './crc32.ts';

/**
 * Gunzip a stream holding a bounded amount of memory, however far its input inflates.
 *
 * Not `pipeThrough(new DecompressionStream('gzip'))`: workerd's decompressor inflates each chunk it is
 * written in full, at once, into a buffer, whether or not anything reads its output, and a pipe writes
 * it the body as fast as the body arrives (measured: reading the first 16 MiB of a 4 GiB gzip bomb of
 * 4 MB took as long as inflating all 4 GiB). Here the input is inflated one slice at a time, in
 * JavaScript (fflate), and the next slice is read only once the output of the last has been taken.
 * Deflate inflates at most 1032 bytes per input byte, so one slice of 8 KiB yields at most about
 * 8 MiB, and a consumer that stops (the upload limit) stops the input being read. The price, measured
 * on local workerd with the CRC check: 110-200 MB/s of output against 180-230 MB/s for the native
 * stream (JSONL compressed 3.6:1 and 17:1), so about 5-9 s of CPU for a 1 GiB upload.
 *
 * Every member's trailer is checked (CRC-32 and length), as native gzip readers do: a stream cut short
 * or corrupted is a GzipError, never a short or wrong output.
 */

/** How `gunzip` reads. */
export interface GunzipOptions {
  /** Compressed bytes inflated at a time (default 8 KiB). */
  sliceBytes?: number;
  /** Told how many compressed bytes have been inflated so far, after each slice. */
  onInput?: (bytes: number) => void;
}

/** A gzip stream that cannot be read: why, and after how many compressed bytes. */
export class GzipError extends TypeError {
  readonly reason: string;
  readonly inputBytes: number;
  constructor(reason: string, inputBytes: number) {
    super(`not valid gzip: ${reason} (after ${inputBytes} compressed bytes)`);
    this.name = 'GzipError';
    this.reason = reason;
    this.inputBytes = inputBytes;
  }
}

/** Deflate's largest expansion: a 258-byte match from one bit pair, about 1032 to 1. */
export const DEFLATE_MAX_RATIO = 1032;

/** Compressed bytes kept to find a member's trailer when the next member starts. */
const WINDOW = 64 * 1024;

/** The decompressed chunks of a gzip stream (several members allowed). */
export async function* gunzip(
  source: AsyncIterable<Uint8Array>,
  { sliceBytes = 8 * 1024, onInput }: GunzipOptions = {},
): AsyncGenerator<Uint8Array> {
  let ready: Uint8Array[] = [];
  let member = { crc: crc32(), size: 0 };
  const recent = recentBytes(WINDOW);
  const inflater = new Gunzip((chunk) => {
    if (chunk.byteLength === 0) return;
    member.crc.update(chunk);
    member.size += chunk.byteLength;
    ready.push(chunk);
  });
  inflater.onmember = (offset) => {
    // A member ended at `offset`: its trailer is the 8 bytes before (when still in the window).
    const trailer = recent.at(offset - 8, 8);
    if (trailer) checkTrailer(trailer, member, offset);
    member = { crc: crc32(), size: 0 };
  };
  let input = 0;
  const push = (slice: Uint8Array, final: boolean) => {
    recent.add(slice);
    try {
      inflater.push(slice, final);
    } catch (e) {
      throw e instanceof GzipError ? e : new GzipError((e as Error).message, input);
    }
    input += slice.byteLength;
    onInput?.(input);
  };
  for await (const chunk of source) {
    for (let at = 0; at < chunk.byteLength; at += sliceBytes) {
      push(chunk.subarray(at, at + sliceBytes), false);
      const out = ready;
      ready = [];
      yield* out;
    }
  }
  push(new Uint8Array(0), true);
  yield* ready;
  const trailer = recent.at(input - 8, 8);
  if (!trailer) throw new GzipError('the stream ends before its trailer', input);
  checkTrailer(trailer, member, input);
}

function checkTrailer(trailer: Uint8Array, member: { crc: Crc32; size: number }, end: number): void {
  const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
  const crc = view.getUint32(0, true);
  const size = view.getUint32(4, true);
  if (crc !== member.crc.value() || size !== member.size % 2 ** 32)
    throw new GzipError('its trailer does not match the data (the stream is cut short or corrupt)', end);
}

/** At least the last `capacity` bytes added (the slices that hold them), addressed by offset. */
function recentBytes(capacity: number) {
  const slices: { at: number; bytes: Uint8Array }[] = [];
  let kept = 0;
  let end = 0;
  return {
    add(bytes: Uint8Array) {
      slices.push({ at: end, bytes });
      kept += bytes.length;
      end += bytes.length;
      while (slices.length > 1 && kept - slices[0].bytes.length >= capacity)
        kept -= slices.shift()!.bytes.length;
    },
    /** `length` bytes from `offset`, or null when they are not all kept. */
    at(offset: number, length: number): Uint8Array | null {
      if (slices.length === 0 || offset < slices[0].at || offset + length > end) return null;
      const out = new Uint8Array(length);
      for (const { at, bytes } of slices) {
        const from = Math.max(offset, at);
        const to = Math.min(offset + length, at + bytes.length);
        if (from < to) out.set(bytes.subarray(from - at, to - at), from - offset);
      }
      return out;
    },
  };
}
