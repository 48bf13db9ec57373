import type { Turn } from '../../schemas/record.ts';
import { fmix32 } from '../util/fmix32.ts';
import { sha256Words } from './sha256.ts';

const encoder = new TextEncoder();
/** UTF-8 of the text being hashed, reused and grown: no buffer per record. */
let utf8 = new Uint8Array(4096);

/** Whether the UTF-16 code is JavaScript whitespace (`\s`: WhiteSpace and LineTerminator). */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const isWhitespace = (c: number) => (c < 128 ? c === 32 || (c >= 9 && c <= 13) : isSpace(c));

/**
 * Trim both ends and collapse internal whitespace runs to one space: `content.trim().replace(/\s+/g,
 * ' ')`, in one scan that keeps the text itself when it is canonical already (single spaces between
 * words) and otherwise joins slices of it (an instruction and its input joined by a blank line). The
 * trim and the replace were a fifth of ingest's time at 1M records.
 */
export function canonicalContent(content: string): string {
  const n = content.length;
  let i = 0;
  while (i < n && isWhitespace(content.charCodeAt(i))) i++;
  /** Start of the part of `content` not yet in `out`. */
  let from = i;
  let out = '';
  let changed = i > 0;
  while (i < n) {
    const c = content.charCodeAt(i);
    if (!isWhitespace(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isWhitespace(content.charCodeAt(j))) j++;
    if (j === n) {
      // Trailing whitespace: dropped.
      out += content.slice(from, i);
      from = n;
      changed = true;
      break;
    }
    if (c !== 32 || j > i + 1) {
      out += `${content.slice(from, i)} `;
      from = j;
      changed = true;
    }
    i = j;
  }
  return changed ? out + content.slice(from) : content;
}

/**
 * 32 hex chars: the first 128 bits of SHA-256 over the turns' roles and canonical contents, so copies
 * that differ only in whitespace hash equal. The text hashed is
 * `JSON.stringify(turns.map((t) => [t.role, canonicalContent(t.content)]))`, built without the arrays.
 */
export function contentHash(turns: Turn[]): string {
  let canonical = '[';
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i];
    canonical += `${i > 0 ? ',' : ''}[${JSON.stringify(t.role)},${JSON.stringify(canonicalContent(t.content))}]`;
  }
  canonical += ']';
  // At most 3 UTF-8 bytes per UTF-16 unit.
  if (utf8.length < canonical.length * 3) utf8 = new Uint8Array(canonical.length * 3);
  const { written } = encoder.encodeInto(canonical, utf8);
  const h = sha256Words(utf8, written);
  return hex8(h[0] >>> 0) + hex8(h[1] >>> 0) + hex8(h[2] >>> 0) + hex8(h[3] >>> 0);
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (x: number) => HEX2[x >>> 24] + HEX2[(x >>> 16) & 255] + HEX2[(x >>> 8) & 255] + HEX2[x & 255];
/** Value of each ASCII hex digit (0–9, a–f, A–F). */
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 16; i++) {
  NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
  NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** The 32-bit value of the 8 hex digits of `s` from `at`. */
function hexWord(s: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) v = (v << 4) | NIBBLE[s.charCodeAt(i) & 127];
  return v >>> 0;
}

/**
 * A record's id, 16 hex chars: the first 64 bits of its content hash (uniform: SHA-256, or the
 * rollout hash) XOR a 64-bit mix of its object's place in the dataset (`part`), its index in that
 * object and its place in its row (`sub`: a responses row's members share an index). Stable across
 * runs of the same input and the same whatever the container, unique per place (copies of a content
 * at two places differ), and uniform in its bits (hashUniform samples by it). About 0.1 µs: every
 * stage that reads a shard's records makes them (src/pipeline/shard-records.ts).
 */
export function recordId(part: number, index: number, hash: string, sub = 0): string {
  const lo = index >>> 0;
  const hi = Math.floor(index / 0x100000000) >>> 0;
  const key = (part * 0x10000 + sub) >>> 0;
  const m1 = fmix32(Math.imul(lo, 0xcc9e2d51) ^ fmix32(hi ^ 0x9e3779b9) ^ Math.imul(key, 0x1b873593));
  const m2 = fmix32(lo ^ fmix32(Math.imul(hi, 0x27d4eb2f) ^ key ^ 0x85ebca6b));
  return hex8((hexWord(hash, 0) ^ m1) >>> 0) + hex8((hexWord(hash, 8) ^ m2) >>> 0);
}
