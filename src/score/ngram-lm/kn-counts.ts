import { PairIndex } from './pair-index.ts';

/** Reserved word ids: sentence start, sentence end, unknown word. Vocabulary words are 3, 4, …. */
export const BOS = 0;
export const EOS = 1;
export const UNK = 2;

/**
 * The distinct n-grams of one order. Entry `i` is its prefix (n-1)-gram `prefix[i]` (an index into the
 * previous order; for bigrams a word id) followed by word `word[i]`; `suffix[i]` is the index of the
 * (n-1)-gram that drops its first word. Unigram entry `i` is word id `i`.
 */
export interface OrderCounts {
  size: number;
  prefix: Int32Array;
  word: Uint32Array;
  suffix: Int32Array;
  raw: Float64Array;
  /**
   * Kneser–Ney adjusted counts: the raw count at the highest order and for n-grams that start with
   * <s> (nothing can precede them); otherwise the continuation count N1+(• g), the number of distinct
   * words seen before g.
   */
  adjusted: Float64Array;
}

/**
 * Counts every n-gram of orders 1..`order` of `<s> w1 … wk </s>` for each sequence of word ids
 * (one <s>, as KenLM does: a first word's context is just <s>).
 */
export function countNgrams(
  sequences: Iterable<Uint32Array>,
  order: number,
  vocabSize: number,
): OrderCounts[] {
  const index: PairIndex[] = [];
  const cols: { prefix: number[]; word: number[]; suffix: number[]; raw: number[] }[] = [];
  for (let n = 2; n <= order; n++) {
    index[n] = new PairIndex(1 << 12);
    cols[n] = { prefix: [], word: [], suffix: [], raw: [] };
  }
  const raw1 = new Float64Array(vocabSize);
  let prev = new Int32Array(order + 1);
  let cur = new Int32Array(order + 1);
  for (const seq of sequences) {
    const len = seq.length + 2;
    for (let i = 0; i < len; i++) {
      const w = i === 0 ? BOS : i === len - 1 ? EOS : seq[i - 1];
      raw1[w]++;
      cur[1] = w;
      const top = Math.min(order, i + 1);
      for (let n = 2; n <= top; n++) {
        const ix = index[n];
        const before = ix.size;
        const g = ix.getOrAdd(prev[n - 1], w);
        const c = cols[n];
        if (g === before) {
          c.prefix.push(prev[n - 1]);
          c.word.push(w);
          c.suffix.push(cur[n - 1]);
          c.raw.push(0);
        }
        c.raw[g]++;
        cur[n] = g;
      }
      [prev, cur] = [cur, prev];
    }
  }
  const out: OrderCounts[] = [
    {
      size: vocabSize,
      prefix: new Int32Array(vocabSize).fill(-1),
      word: Uint32Array.from({ length: vocabSize }, (_, i) => i),
      suffix: new Int32Array(vocabSize).fill(-1),
      raw: raw1,
      adjusted: new Float64Array(0),
    },
  ];
  for (let n = 2; n <= order; n++) {
    const c = cols[n];
    out.push({
      size: c.raw.length,
      prefix: Int32Array.from(c.prefix),
      word: Uint32Array.from(c.word),
      suffix: Int32Array.from(c.suffix),
      raw: Float64Array.from(c.raw),
      adjusted: new Float64Array(0),
    });
  }
  adjust(out);
  return out;
}

/** Fills `adjusted` for every order (see `OrderCounts.adjusted`). */
function adjust(orders: OrderCounts[]): void {
  const top = orders.length - 1;
  // startsBos[k][i]: whether n-gram i of order k+1 begins with <s>.
  const startsBos: Uint8Array[] = [
    Uint8Array.from({ length: orders[0].size }, (_, i) => (i === BOS ? 1 : 0)),
  ];
  for (let k = 1; k <= top; k++) {
    const { size, prefix } = orders[k];
    const s = new Uint8Array(size);
    for (let i = 0; i < size; i++) s[i] = startsBos[k - 1][prefix[i]];
    startsBos.push(s);
  }
  orders[top].adjusted = orders[top].raw.slice();
  for (let k = top - 1; k >= 0; k--) {
    const o = orders[k];
    const adjusted = new Float64Array(o.size);
    const higher = orders[k + 1];
    for (let i = 0; i < higher.size; i++) adjusted[higher.suffix[i]]++;
    for (let i = 0; i < o.size; i++) if (startsBos[k][i]) adjusted[i] = o.raw[i];
    o.adjusted = adjusted;
  }
}
