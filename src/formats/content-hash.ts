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

/**
 * Trim both ends and collapse internal whitespace runs to one space. Most texts are canonical
 * already (single spaces between words): one scan finds that and returns the text itself, without
 * the trim and the replace (they were a fifth of ingest's time at 1M records).
 */
export function canonicalContent(content: string): string {
  const n = content.length;
  let canonical = true;
  for (let i = 0, prev = true; i < n; i++) {
    const c = content.charCodeAt(i);
    if (c === 32) {
      if (prev) {
        canonical = false;
        break;
      }
      prev = true;
    } else if (c < 128 ? c >= 9 && c <= 13 : isSpace(c)) {
      canonical = false;
      break;
    } else prev = false;
  }
  // A space at the start was caught above; one at the end is not canonical either.
  if (canonical && (n === 0 || content.charCodeAt(n - 1) !== 32)) return content;
  return content.trim().replace(/\s+/g, ' ');
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
