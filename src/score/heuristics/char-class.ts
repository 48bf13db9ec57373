/** Character classes (bit flags) for `scan`: a table for ASCII, a lazily filled one for wider code units. */

export const L = 1; // letter
export const U = 2; // uppercase letter
export const D = 4; // digit
export const S = 8; // space, tab, CR (and wide spaces)
export const N = 16; // newline
export const V = 32; // vowel (a e i o u y)
export const X = 64; // special: # . , { } ; = < > ` and control characters
export const Q = 128; // punctuation that is not structural (a token made of it is not "neutral")
export const W = 256; // wide (non-ASCII) letter or digit
export const H = 512; // Han / Kana: a word on its own
export const ALNUM = L | D | W;

export const CLS = new Uint16Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let k = 0;
  if (/[a-z]/.test(ch)) k = L;
  else if (/[A-Z]/.test(ch)) k = L | U;
  else if (/[0-9]/.test(ch)) k = D;
  else if (c === 32 || c === 9 || c === 13) k = S;
  else if (c === 10) k = N;
  else if (c < 32 || c === 127) k = X | Q;
  // Punctuation of tables, markdown, lists and arithmetic is structural: a token of only these is neutral.
  else if (!'|-=+*/:.,;_~`#><()[]{}\'"'.includes(ch)) k = Q;
  if ('#.,{};=<>`'.includes(ch)) k |= X;
  if ('aeiouy'.includes(ch.toLowerCase()) && k & L) k |= V;
  CLS[c] = k;
}

const ALNUM_RE = /[\p{L}\p{M}\p{N}]/u;
/** Per wide code unit, its class + 1 (0 = not yet computed). */
const WIDE = new Uint16Array(65536);
export function wide(c: number): number {
  const k = WIDE[c];
  if (k !== 0) return k - 1;
  let cls = 0;
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x3040 && c <= 0x30ff))
    cls = W | H;
  else if (c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a)) cls = S;
  else if (c === 0xfffd || (c >= 0x80 && c < 0xa0)) cls = X | Q;
  else if (c === 0x2026) cls = X;
  else if (ALNUM_RE.test(String.fromCharCode(c))) cls = W;
  else if (c < 0x2000 && c !== 0xd7 && c !== 0xf7 && c !== 0xb1 && c !== 0xb7) cls = Q;
  WIDE[c] = cls + 1;
  return cls;
}

/** Case-folded (ASCII) FNV-1a hashes of the words of `text[from, to)` (same words as `scan`) into `out`. */
export function hashWords(text: string, out: Int32Array, from = 0, to = text.length): number {
  let n = 0;
  let h = 0;
  let inWord = false;
  for (let i = from; i <= to && n < out.length; i++) {
    const c = i < to ? text.charCodeAt(i) : 32;
    const k = c < 128 ? CLS[c] : wide(c);
    if (k & ALNUM && !(k & H)) {
      if (!inWord) {
        inWord = true;
        h = 0x811c9dc5 | 0;
      }
      h = Math.imul(h ^ (k & U ? c | 32 : c), 16777619);
    } else if (inWord) {
      out[n++] = h;
      inWord = false;
    }
    if (k & H && n < out.length) out[n++] = Math.imul(0x811c9dc5 ^ c, 16777619);
  }
  return n;
}
