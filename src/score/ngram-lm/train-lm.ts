import { countNgrams } from './kn-counts.ts';
import { estimateKn } from './kn-estimate.ts';
import { compileTables, type LmTables } from './kn-tables.ts';
import { VocabIndex } from './vocab-index.ts';

export interface TrainLmOptions {
  order: number;
  /** Words seen fewer times become <unk> (1: every training word is in the vocabulary). */
  minCount: number;
  precision: 'float32' | 'float64';
  /** Training stops taking sequences once this many words were read (the model's size follows it). */
  maxTokens: number;
}

export interface TrainedLm {
  vocab: VocabIndex;
  tables: LmTables;
  stats: { sequences: number; tokens: number; vocab: number; ngrams: number; collisions: number };
  discounts: [number, number, number][];
}

/**
 * Vocabulary, counts, interpolated modified Kneser–Ney estimate and lookup tables from sequences of
 * word hashes (`wordHashes`): a word is its 32-bit hash, so two words with the same hash (expected
 * V² / 2^33 pairs in a V-word vocabulary, e.g. 0.05 for 20,000 words) share one id, in training and
 * scoring alike. Vocabulary ids follow first occurrence, so the model is a function of the input order.
 */
export function trainLm(sequences: readonly Uint32Array[], opts: TrainLmOptions): TrainedLm {
  const { order, minCount, precision, maxTokens } = opts;
  if (!Number.isInteger(order) || order < 1)
    throw new RangeError(`order must be an integer ≥ 1, got ${order}`);
  let used = 0;
  let tokens = 0;
  const freq = new Map<number, number>();
  for (; used < sequences.length && tokens < maxTokens; used++) {
    for (const w of sequences[used]) freq.set(w, (freq.get(w) ?? 0) + 1);
    tokens += sequences[used].length;
  }
  const kept: number[] = [];
  for (const [w, c] of freq) if (c >= minCount) kept.push(w);
  const vocab = new VocabIndex(Uint32Array.from(kept));
  const seqs = sequences.slice(0, used).map((s) => vocab.ids(s));
  const counts = countNgrams(seqs, order, kept.length + 3);
  const est = estimateKn(counts);
  const { tables, collisions } = compileTables(counts, est, precision);
  const ngrams = counts.reduce((s, o) => s + o.size, 0);
  return {
    vocab,
    tables,
    stats: { sequences: used, tokens, vocab: kept.length + 3, ngrams, collisions },
    discounts: est.discounts,
  };
}
