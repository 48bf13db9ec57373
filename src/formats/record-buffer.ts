import { concatBytes, decodeText } from './bytes.ts';

/** Bytes kept of a record once it is known to be oversize: enough for 200 characters of any script. */
const HEAD_BYTES = 1024;
const HEAD_CHARS = 200;

export type Taken = { bytes: Uint8Array } | { head: string };

/**
 * Gathers the bytes of one record across chunks. Past `retainLimit` bytes (or on `drop()`) it keeps
 * only the first HEAD_BYTES, so an oversize record is never buffered whole.
 */
export interface RecordBuffer {
  /** Bytes appended since the last take, dropped ones included. */
  readonly length: number;
  /** The last byte appended, or -1. */
  readonly lastByte: number;
  append(bytes: Uint8Array): void;
  drop(): void;
  /** End the record: its first `length` bytes, or its head text when `oversize`. Resets the buffer. */
  take(length: number, oversize: boolean): Taken;
}

export function createRecordBuffer(retainLimit = Number.POSITIVE_INFINITY): RecordBuffer {
  let pieces: Uint8Array[] = [];
  let total = 0;
  let last = -1;
  let head: Uint8Array | null = null;

  const drop = (): void => {
    if (head) return;
    head = firstBytes(pieces, HEAD_BYTES);
    pieces = [];
  };

  return {
    get length() {
      return total;
    },
    get lastByte() {
      return last;
    },
    append(bytes) {
      if (bytes.length === 0) return;
      total += bytes.length;
      last = bytes[bytes.length - 1];
      if (head) {
        if (head.length < HEAD_BYTES) head = firstBytes([head, bytes], HEAD_BYTES);
        return;
      }
      pieces.push(bytes);
      if (total > retainLimit) drop();
    },
    drop,
    take(length, oversize) {
      let taken: Taken;
      if (oversize) {
        const bytes = head ?? firstBytes(pieces, HEAD_BYTES);
        const chars = Array.from(decodeText(bytes.subarray(0, Math.min(length, bytes.length))));
        taken = { head: chars.slice(0, HEAD_CHARS).join('') };
      } else {
        if (head) throw new Error(`record buffer: ${length} bytes asked after the record was dropped`);
        taken = { bytes: concatBytes(pieces, total).subarray(0, length) };
      }
      pieces = [];
      total = 0;
      last = -1;
      head = null;
      return taken;
    },
  };
}

function firstBytes(pieces: Uint8Array[], limit: number): Uint8Array {
  const out: Uint8Array[] = [];
  let n = 0;
  for (const p of pieces) {
    if (n >= limit) break;
    const part = p.subarray(0, limit - n);
    out.push(part);
    n += part.length;
  }
  return out.length === 0 ? new Uint8Array(0) : concatBytes(out, n).slice();
}
