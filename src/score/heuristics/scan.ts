/**
 * One pass over an answer's UTF-16 code units that collects everything the heuristic rules need, so no
 * rule re-reads the text or allocates per-word strings. Words follow `words.ts` (runs of letters, marks
 * and digits; each Han/Kana character is a word), hashed case-insensitively (ASCII) with FNV-1a into a
 * shared buffer; tokens follow Gopher (whitespace-separated); lines are recorded trimmed. Text inside ``` fences is left out
 * of the prose statistics (tokens, vowels, '#'), never out of words or lines.
 */

import { ALNUM, CLS, D, H, L, N, Q, S, U, V, W, wide, X } from './char-class.ts';
import { pair, trigger } from './triggers.ts';

export interface Scan {
  chars: number;
  /** Words (`words.ts` semantics); `hash` and `len` are shared buffers valid for [0, words). */
  words: number;
  hash: Int32Array;
  len: Int32Array;
  maxWord: number;
  /** Gopher tokens (whitespace-separated) outside fences: count, with a letter, with a letter or digit, total length. */
  tokens: number;
  alphaTokens: number;
  alnumTokens: number;
  tokenChars: number;
  /** Tokens with no letter or digit made only of table/markdown/operator punctuation or emoji. */
  neutralTokens: number;
  /** Lowercase ASCII words of ≥ 4 letters outside fences; of those, with no vowel or ≥ 5 consonants in a row. */
  latinWords: number;
  implausible: number;
  /** '#' outside headings, hashtags, colour codes and fences (Gopher's symbol rule); "..." and "…". */
  hashSigns: number;
  ellipses: number;
  /** C0/C1 control characters other than tab/newline/CR, and U+FFFD replacement characters. */
  control: number;
  /** { } ; = < > */
  codeChars: number;
  commas: number;
  /** Non-empty lines; per line (shared buffers, valid for [0, lines)) its trimmed start and length. */
  lines: number;
  lineStart: Int32Array;
  lineLen: Int32Array;
  /** Lines ending in terminal punctuation (FineWeb), lines ≤ 30 chars, structured lines, ``` lines. */
  punctLines: number;
  shortLines: number;
  /** List items, indented lines, table rows and "label: value" lines. */
  listLines: number;
  fences: number;
  /** `TRIGGER` bits of the trigger words present; `cjk`: any Han/Kana character (Chinese rules always run). */
  triggers: number;
  cjk: boolean;
}

let cap = 0;
let hashBuf = new Int32Array(0);
let lenBuf = new Int32Array(0);
let lineStartBuf = new Int32Array(0);
let lineLenBuf = new Int32Array(0);
function ensure(n: number): void {
  if (n <= cap) return;
  cap = Math.max(n, cap * 2, 1024);
  hashBuf = new Int32Array(cap);
  lenBuf = new Int32Array(cap);
  lineStartBuf = new Int32Array(cap);
  lineLenBuf = new Int32Array(cap);
}

/** Terminal punctuation for FineWeb's line rule: . ! ? " ' and their CJK / typographic forms, ellipsis. */
export function isTerminal(c: number): boolean {
  return (
    c === 46 ||
    c === 33 ||
    c === 63 ||
    c === 34 ||
    c === 39 ||
    c === 0x3002 ||
    c === 0xff01 ||
    c === 0xff1f ||
    c === 0x201d ||
    c === 0x2019 ||
    c === 0x2026
  );
}

/** A structured line: list item, table row, indented, or "label: value" (a colon in its first 30 chars). */
function structured(text: string, first: number, len: number): boolean {
  const f = text.charCodeAt(first);
  const s = len > 1 ? text.charCodeAt(first + 1) : 0;
  if (((f === 45 || f === 42 || f === 43) && s === 32) || f === 0x2022 || f === 124) return true;
  if (f >= 48 && f <= 57 && (s === 46 || s === 41 || (s >= 48 && s <= 57))) return true;
  if (f >= 65 && f <= 90 && (s === 46 || s === 41)) return true;
  const before = first > 0 ? text.charCodeAt(first - 1) : 10;
  if (before === 9 || (before === 32 && first >= 2 && text.charCodeAt(first - 2) === 32)) return true;
  const upTo = first + Math.min(len - 1, 30);
  for (let i = first + 1; i < upTo; i++) if (text.charCodeAt(i) === 58) return true;
  return false;
}

export function scan(text: string): Scan {
  const n = text.length;
  ensure(n + 1);
  const hash = hashBuf;
  const len = lenBuf;
  let words = 0;
  let maxWord = 0;
  let tokens = 0;
  let alphaTokens = 0;
  let alnumTokens = 0;
  let tokenChars = 0;
  let neutralTokens = 0;
  let latinWords = 0;
  let implausible = 0;
  let hashSigns = 0;
  let ellipses = 0;
  let control = 0;
  let codeChars = 0;
  let commas = 0;
  let lines = 0;
  let punctLines = 0;
  let shortLines = 0;
  let listLines = 0;
  let fences = 0;
  let inFence = false;
  let wStart = -1; // current word
  let wk = 0;
  let h = 0;
  let vowels = 0;
  let run = 0;
  let maxRun = 0;
  let tStart = -1; // current token
  let tk = 0;
  let lFirst = -1; // current line: first non-space, first word
  let triggers = 0;
  let cjk = false;

  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 10;
    const k = c < 128 ? CLS[c] : wide(c);
    if (k & ALNUM && !(k & H)) {
      if (wStart < 0) {
        wStart = i;
        wk = 0;
        h = 0x811c9dc5 | 0;
        vowels = run = maxRun = 0;
      }
      wk |= k;
      h = Math.imul(h ^ (k & U ? c | 32 : c), 16777619);
      if (k & V) {
        vowels++;
        run = 0;
      } else if (++run > maxRun) maxRun = run;
      if (tStart < 0) {
        tStart = i;
        tk = 0;
        if (lFirst < 0) lFirst = i;
      }
      tk |= k;
      // The rest of an ASCII word: no token, line or special-character bookkeeping needed.
      while (i + 1 < n) {
        const c2 = text.charCodeAt(i + 1);
        if (c2 >= 128) break;
        const k2 = CLS[c2];
        if (!(k2 & (L | D))) break;
        i++;
        wk |= k2;
        h = Math.imul(h ^ (k2 & U ? c2 | 32 : c2), 16777619);
        if (k2 & V) {
          vowels++;
          run = 0;
        } else if (++run > maxRun) maxRun = run;
      }
      tk |= wk;
      continue;
    } else if (wStart >= 0) {
      const wl = i - wStart;
      triggers |= trigger(h);
      if (words > 0) triggers |= trigger(pair(hash[words - 1], h));
      hash[words] = h;
      len[words++] = wl;
      if (wl > maxWord) maxWord = wl;
      if (wl >= 4 && !(wk & (U | D | W)) && !inFence) {
        latinWords++;
        if (vowels === 0 || maxRun >= 5) implausible++;
      }
      wStart = -1;
    }
    if (k & H) {
      cjk = true;
      hash[words] = Math.imul(0x811c9dc5 ^ c, 16777619);
      len[words++] = 1;
    }
    if (!(k & (S | N))) {
      if (tStart < 0) {
        tStart = i;
        tk = 0;
        if (lFirst < 0) lFirst = i;
      }
      tk |= k;
      if (k & X) {
        if (c === 44) commas++;
        else if (c === 46) {
          if (
            i >= 2 &&
            text.charCodeAt(i - 1) === 46 &&
            text.charCodeAt(i - 2) === 46 &&
            (i < 3 || text.charCodeAt(i - 3) !== 46)
          )
            ellipses++;
        } else if (c === 0x2026) ellipses++;
        else if (c === 35) {
          // Gopher counts every '#'; headings, hashtags and colour codes are legitimate here.
          const next = i + 1 < n ? text.charCodeAt(i + 1) : 32;
          if (
            !inFence &&
            lFirst !== i &&
            text.charCodeAt(i - 1) !== 35 &&
            !((next < 128 ? CLS[next] : wide(next)) & ALNUM)
          )
            hashSigns++;
        } else if (c === 96) {
          if (i === lFirst && text.startsWith('```', i)) {
            fences++;
            inFence = !inFence;
          }
        } else if (c < 32 || c === 127 || c >= 128) control++;
        else codeChars++;
      }
    } else {
      if (tStart >= 0) {
        if (!inFence) {
          tokens++;
          tokenChars += i - tStart;
          if (tk & L || tk & W) alphaTokens++;
          if (tk & ALNUM) alnumTokens++;
          else if (!(tk & Q)) neutralTokens++;
        }
        tStart = -1;
      }
      if (k & N && lFirst >= 0) {
        let last = i - 1;
        for (
          let b = text.charCodeAt(last);
          last > lFirst && (b === 32 || b === 9 || b === 13);
          b = text.charCodeAt(last)
        )
          last--;
        const ll = last - lFirst + 1;
        lineStartBuf[lines] = lFirst;
        lineLenBuf[lines++] = ll;
        if (isTerminal(text.charCodeAt(last))) punctLines++;
        if (ll <= 30) shortLines++;
        if (structured(text, lFirst, ll)) listLines++;
        lFirst = -1;
      }
    }
  }
  return {
    chars: n,
    words,
    hash,
    len,
    maxWord,
    tokens,
    alphaTokens,
    alnumTokens,
    tokenChars,
    neutralTokens,
    latinWords,
    implausible,
    hashSigns,
    ellipses,
    control,
    codeChars,
    commas,
    lines,
    lineStart: lineStartBuf,
    lineLen: lineLenBuf,
    punctLines,
    shortLines,
    listLines,
    fences,
    triggers,
    cjk,
  };
}
