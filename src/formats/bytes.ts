/** Byte-level helpers shared by the planners and readers. */
import { MAX_RECORD_BYTES, MiB } from '../limits.ts';

export { MiB };
export const DEFAULT_CHUNK_BYTES = MiB;
export const DEFAULT_MAX_RECORD_BYTES = MAX_RECORD_BYTES;
export const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);
export const NEWLINE = 0x0a;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 decode; invalid sequences become U+FFFD rather than failing the shard. */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * A record's text: `text` when its bytes are valid UTF-8; otherwise also `notUtf8`, the offset in
 * `bytes` of the first byte that is not, and its value (the text then has U+FFFD in its place, for
 * display only).
 */
export function decodeRecord(bytes: Uint8Array): { text: string; notUtf8?: NotUtf8 } {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { text: decoder.decode(bytes), notUtf8: { at, byte: bytes[at] } };
  }
}

/** Where a record stops being UTF-8: the offset in the record of the first bad byte, and its value. */
export interface NotUtf8 {
  at: number;
  byte: number;
}

/**
 * The offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or -1 when every byte does.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      // The first continuation byte has the tighter range; the others are any 0x80-0xbf.
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (c === undefined || c < min || c > max) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** JSON insignificant whitespace: space, tab, LF, CR. */
export function isJsonWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export function startsWithBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Join pieces into one buffer (no copy when there is a single piece). */
export function concatBytes(pieces: Uint8Array[], total?: number): Uint8Array {
  if (pieces.length === 1) return pieces[0];
  const length = total ?? pieces.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A byte as it should appear in an error message: `'x'` for printable ASCII, else `byte 0xNN`. */
export function describeByte(b: number): string {
  if (b >= 0x21 && b <= 0x7e) return `'${String.fromCharCode(b)}'`;
  return `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/** Check a size option: a positive integer, or the default when absent. */
export function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
