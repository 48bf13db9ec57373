import { add, countAt, firstAt, has, reset } from './gram-table.ts';
import type { Scan } from './scan.ts';

/**
 * Line duplication as Gopher's `find_duplicates`, over the non-empty trimmed lines (whitespace inside a
 * line ignored): duplicate lines / lines and characters in duplicate lines / all characters.
 */
export function lineDuplication(text: string, s: Scan): { dupLineFrac: number; dupLineCharFrac: number } {
  if (s.lines < 2 || s.chars === 0) return { dupLineFrac: 0, dupLineCharFrac: 0 };
  reset(s.lines);
  let dup = 0;
  let dupChars = 0;
  for (let i = 0; i < s.lines; i++) {
    let h = 0x811c9dc5 | 0;
    for (let j = s.lineStart[i], end = j + s.lineLen[i]; j < end; j++) {
      const c = text.charCodeAt(j);
      if (c !== 32 && c !== 9) h = Math.imul(h ^ c, 16777619);
    }
    if (countAt(add(h, i)) > 1) {
      dup++;
      dupChars += s.lineLen[i];
    }
  }
  return { dupLineFrac: dup / s.lines, dupLineCharFrac: dupChars / s.chars };
}

let slots = new Int32Array(1024);

/** Hash of the n-gram starting at word i. */
function gram(h: Int32Array, i: number, n: number): number {
  let g = 0x811c9dc5 | 0;
  for (let j = i; j < i + n; j++) g = Math.imul(g ^ h[j], 16777619);
  return g;
}
/** Characters of the n-gram at word i when joined by single spaces (as datatrove joins tokens). */
function gramChars(s: Scan, i: number, n: number): number {
  let c = n - 1;
  for (let j = i; j < i + n; j++) c += s.len[j];
  return c;
}

/** Counts every n-gram (slots per position in `slots`); returns the top repeated n-gram's count × characters. */
function topGram(s: Scan, n: number): number {
  const total = s.words - n + 1;
  reset(total);
  let best = 0;
  let bestAt = 0;
  const h = s.hash;
  for (let i = 0; i < total; i++) {
    const slot = add(
      n === 2 ? Math.imul(Math.imul(0x811c9dc5 ^ h[i], 16777619) ^ h[i + 1], 16777619) : gram(h, i, n),
      i,
    );
    slots[i] = slot;
    const c = countAt(slot);
    if (c > best) {
      best = c;
      bestAt = firstAt(slot);
    }
  }
  // Gopher counts the top n-gram even when it occurs once; in a 10-word answer one 4-gram is 30 % of
  // the text, so only a repeated n-gram counts here.
  return best < 2 ? 0 : best * gramChars(s, bestAt, n);
}

/** Gopher's `find_all_duplicate`: scan n-grams; a repeat adds its characters and skips n words. */
function dupGram(s: Scan, n: number): number {
  const total = s.words - n + 1;
  reset(total);
  let chars = 0;
  for (let i = 0; i < total; ) {
    const k = gram(s.hash, i, n);
    if (has(k)) {
      chars += gramChars(s, i, n);
      i += n;
    } else {
      add(k, i);
      i++;
    }
  }
  return chars;
}

/**
 * Gopher's n-gram repetition measures (Rae et al. 2021, Table A1), over one answer's words: the top 2-,
 * 3-, 4-gram character fractions and the duplicated 5..10-gram character fractions. The 2-gram pass
 * always runs. A repeated n-gram repeats its n - 1 overlapping 2-grams, so it lies in a run of ≥ n - 1
 * consecutive repeated 2-grams; the other passes run only when the characters in such runs could reach
 * `factor` × their threshold (top n-grams: n × run characters, as overlapping repeats inflate count ×
 * length at most n-fold), and are reported as 0 otherwise.
 */
export function ngramRepetition(
  s: Scan,
  top: readonly number[],
  dup: readonly number[],
  factor: number,
): { topNgram: number[]; dupNgram: number[] } {
  const chars = Math.max(1, s.chars);
  const out = { topNgram: [0, 0, 0], dupNgram: [0, 0, 0, 0, 0, 0] };
  if (s.words < 2) return out;
  if (slots.length < s.words) slots = new Int32Array(s.words * 2);
  out.topNgram[0] = topGram(s, 2) / chars;
  // Characters in runs of ≥ 2, ≥ 3, ≥ 4 consecutive repeated 2-grams (3-, 4-, 5-word repeats and longer).
  let cov3 = 0;
  let cov4 = 0;
  let cov5 = 0;
  let run = 0;
  for (let i = 0; i <= s.words - 1; i++) {
    if (i < s.words - 1 && countAt(slots[i]) > 1) {
      run++;
      continue;
    }
    if (run >= 2) {
      let c = 0;
      for (let j = i - run; j <= i; j++) c += s.len[j] + 1;
      cov3 += c;
      if (run >= 3) cov4 += c;
      if (run >= 4) cov5 += c;
    }
    run = 0;
  }
  let minDup = 1;
  for (const t of dup) minDup = Math.min(minDup, t);
  if ((3 * cov3) / chars >= top[1] * factor) out.topNgram[1] = topGram(s, 3) / chars;
  if ((4 * cov4) / chars >= top[2] * factor) out.topNgram[2] = topGram(s, 4) / chars;
  if (cov5 / chars >= minDup * factor)
    for (let n = 5; n <= 10; n++) out.dupNgram[n - 5] = dupGram(s, n) / chars;
  return out;
}
