import { fmix32 } from './hash.ts';

const OTHER = 1;
const WORD = 2;
const CJK = 3;
const IS_CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;
const IS_WORD = /^[\p{L}\p{M}\p{N}]$/u;
/** Class of each BMP code point, filled on first sight (0 = not yet classified). */
const bmp = new Uint8Array(65536);
const astral = new Map<number, number>();
let scratch = new Uint32Array(1024);

function classify(cp: number): number {
  const s = String.fromCodePoint(cp);
  return IS_CJK.test(s) ? CJK : IS_WORD.test(s) ? WORD : OTHER;
}

function classOf(cp: number): number {
  if (cp < 65536) {
    const k = bmp[cp];
    return k !== 0 ? k : (bmp[cp] = classify(cp));
  }
  let k = astral.get(cp);
  if (k === undefined) astral.set(cp, (k = classify(cp)));
  return k;
}

/**
 * `words(text).map((w) => hashString(w, seed))` without building the strings: one pass over the
 * lowercased text's UTF-16 code units, classifying each code point as `words` does (letters, marks and
 * digits form runs; each Han, Hiragana or Katakana character is a word of its own) and folding FNV-1a
 * over each word's code units. Several times faster than the regex plus string hashing.
 */
export function wordHashes(text: string, seed = 0): Uint32Array {
  const s = text.toLowerCase();
  const basis = (0x811c9dc5 ^ seed) >>> 0;
  if (scratch.length < s.length) scratch = new Uint32Array(s.length);
  const out = scratch;
  let n = 0;
  let h = 0;
  let inWord = false;
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    let cp = c;
    let d = -1;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        d = lo;
        cp = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
      }
    }
    const k = c < 128 ? asciiClass[c] : classOf(cp);
    if (k === WORD) {
      if (!inWord) {
        h = basis;
        inWord = true;
      }
      h = Math.imul(h ^ c, 0x01000193);
      if (d >= 0) h = Math.imul(h ^ d, 0x01000193);
    } else {
      if (inWord) {
        out[n++] = fmix32(h);
        inWord = false;
      }
      if (k === CJK) {
        h = Math.imul(basis ^ c, 0x01000193);
        if (d >= 0) h = Math.imul(h ^ d, 0x01000193);
        out[n++] = fmix32(h);
      }
    }
    i += d >= 0 ? 2 : 1;
  }
  if (inWord) out[n++] = fmix32(h);
  return out.slice(0, n);
}

const asciiClass = Uint8Array.from({ length: 128 }, (_, c) => classify(c));
