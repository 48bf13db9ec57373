import { z } from 'zod';

const frac = () => z.number().min(0).max(1);

/**
 * Thresholds of the `heuristics` scorer. Sources: Gopher = Rae et al. 2021 (Table A1 and §A.1.1),
 * C4 = Raffel et al. 2020 (§2.2), FineWeb = Penedo et al. 2024 (datatrove's FineWebQualityFilter).
 * Those were written for web pages of hundreds of words; instruction answers are often one word, so each
 * rule below says how it was adapted. "Soft" rules only lower `heuristics`; "hard" rules set `junk` = 1.
 * Not configurable here: C4's phrase rules (see `phrases.ts`: "lorem ipsum" and cookie/JavaScript
 * notices are hard; C4's drop-any-curly-brace rule is not applied, code answers are legitimate), and
 * the cut-off and refusal rules (`cutoff.ts`, `phrases.ts`).
 */
export const HeuristicsConfigSchema = z.strictObject({
  /** Answers with fewer words count as short (soft) when the instruction asks for a text to be written. */
  shortWords: z.number().int().min(1).default(3),
  /**
   * Gopher drops documents under 50 words; here that is instead the minimum for the soft Gopher
   * repetition and word-length rules, which are meaningless on a one-line answer.
   */
  gopherMinWords: z.number().int().min(1).default(50),
  /** Gopher: duplicate line fraction 0.30 (soft); lines are the non-empty ones, needs ≥ `minLines`. */
  dupLineFrac: frac().default(0.3),
  /**
   * Gopher: duplicate line character fraction 0.20 (soft). FineWeb's stricter 0.01 (any repeated line)
   * is not used: a song's chorus or a table's repeated row would trip it.
   */
  dupLineCharFrac: frac().default(0.2),
  /** Lines needed before the line-based rules (Gopher, FineWeb) apply. */
  minLines: z.number().int().min(2).default(4),
  /**
   * Gopher: top 2-, 3-, 4-gram character fraction 0.20, 0.18, 0.16 (soft, ≥ `gopherMinWords`). Adapted:
   * only a repeated n-gram counts (Gopher counts the top one even if it occurs once, which in a 10-word
   * answer is 30 % of the text).
   */
  topNgramFrac: z.tuple([frac(), frac(), frac()]).default([0.2, 0.18, 0.16]),
  /** Gopher: duplicate 5..10-gram character fraction 0.15 … 0.10 (soft, ≥ `gopherMinWords`). */
  dupNgramFrac: z.array(frac()).length(6).default([0.15, 0.14, 0.13, 0.12, 0.11, 0.1]),
  /**
   * Hard repetition: an n-gram measure at this multiple of its Gopher threshold (3.5 × 0.15 = 0.53 of
   * the text in repeated 5-grams), with ≥ `hardRepetitionMinWords` words (under 30 words: twice the
   * multiple, i.e. only loops like "ha ha ha …"). Code, list/table/"label: value" lines and comma lists
   * never fire it. Real Alpaca and Dolly answers (songs with choruses) stay under 3.3×; loops sit far above.
   */
  hardRepetitionFactor: z.number().min(1).default(3.5),
  hardRepetitionMinWords: z.number().int().min(2).default(8),
  /** Hard duplicate lines: both line fractions above this, with ≥ 3 non-empty lines. */
  hardDupLineFrac: frac().default(0.5),
  /**
   * Gopher: ≥ 80 % of words contain an alphabetic character. Adapted: digits count (math answers),
   * tokens made only of table/markdown/operator punctuation or emoji are ignored, ≥ 5 counted tokens.
   * Soft under this, hard under `hardAlphaRatio`.
   */
  minAlphaRatio: frac().default(0.8),
  hardAlphaRatio: frac().default(0.5),
  /** Gopher: mean word length in [3, 10] (soft, needs `gopherMinWords`, skipped for code). */
  minMeanWordLength: z.number().min(0).default(3),
  maxMeanWordLength: z.number().min(0).default(10),
  /** Gopher: symbol-to-word ratio 0.1 for '#' and '...'/'…' (soft). '#' of headings and hashtags is not counted. */
  maxSymbolRatio: z.number().min(0).default(0.1),
  /** A word (letters/digits run) longer than this is gibberish (soft; C4 drops lines with a 1000-char word). */
  maxWordLength: z.number().int().min(10).default(45),
  /**
   * Keyboard mash (hard): the fraction of lowercase Latin words (≥ 4 letters, ≥ 3 of them, outside code)
   * that have no vowel or ≥ 5 consonants in a row ("sdfgh", "zxcvbn"). No standard source: Gopher's
   * gibberish proxies (word length, symbol ratio) do not catch mash of normal-length words.
   */
  maxVowellessFrac: frac().default(0.3),
  /**
   * FineWeb: fraction of lines ending in terminal punctuation < 0.12 (soft). Adapted: only answers with
   * ≥ `minLines` lines and ≥ `gopherMinWords` words, not code, not mostly list/table/label lines, and not
   * for verse, list or code instructions. FineWeb's newline-per-word ratio (0.3) is not used (lists).
   */
  minLinePunctFrac: frac().default(0.12),
  /** FineWeb: fraction of lines ≤ 30 characters > 0.67 (soft; same scope as `minLinePunctFrac`). */
  maxShortLineFrac: frac().default(0.67),
  /**
   * Echo: the answer's word 3-grams found in the instruction (the user turn before its first blank line), and the
   * instruction's found in the answer, both at least this → hard. No standard source; tuned so that
   * answers restating the question ("The capital of France is Paris.") pass.
   */
  echoFrac: frac().default(0.9),
  /** The answer copies the whole user turn (instruction and input) this much both ways → soft echo. */
  copyFrac: frac().default(0.85),
});
export type HeuristicsConfig = z.infer<typeof HeuristicsConfigSchema>;
