/** Byte-level helpers shared by the planners and readers. */

export const MiB = 1024 * 1024;
export const DEFAULT_CHUNK_BYTES = MiB;
export const DEFAULT_MAX_RECORD_BYTES = 8 * MiB;
export const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);
export const NEWLINE = 0x0a;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 decode; invalid sequences become U+FFFD rather than failing the shard. */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
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
