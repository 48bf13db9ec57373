import { fmix32 } from '../features/hash.ts';
import type { OrderCounts } from './kn-counts.ts';
import type { KnEstimate } from './kn-estimate.ts';

export type Floats = Float32Array | Float64Array;
export type Precision = 'float32' | 'float64';

/**
 * One order ≥ 2 as an open-addressing table (linear probing, load ≤ 0.7). A slot is `stride` u32
 * words, interleaved so one lookup touches one cache line: word 0 is the 32-bit fingerprint (0 =
 * empty), then ln p and, below the highest order, ln γ as the n-gram's backoff when it is a context —
 * float32 (1 word each) or float64 (after a pad word, 2 words each). `vals` views the same bytes:
 * slot s has ln p at `s * vstride + 1` and ln γ at `s * vstride + 2`.
 */
export interface NgramTable {
  words: Uint32Array;
  vals: Floats;
  stride: number;
  vstride: number;
  capacity: number;
}

/**
 * An ARPA-like backoff representation of the estimate, for lookups only. Unigrams are indexed by word
 * id; an n-gram of order n ≥ 2 is keyed by (its prefix's slot in the order n-1 table — the word id for
 * bigrams — and its last word id), stored as the fingerprint `fingerprint(p, w)` at home slot
 * `home(p, w)`: two independent mixes, so distinct keys are confused only when both agree within one
 * probe run (as with KenLM's probing tables, but 32-bit).
 */
export interface LmTables {
  order: number;
  logp1: Floats;
  backoff1: Floats;
  /** Orders 2..order at indices 0..order-2. */
  tables: NgramTable[];
}

export const fingerprint = (p: number, w: number) => fmix32(Math.imul(p, 0x9e3779b1) ^ w) || 1;
export const home = (p: number, w: number, capacity: number) =>
  Math.floor((fmix32((Math.imul(w, 0x85ebca77) ^ p ^ 0x27d4eb2f) >>> 0) * capacity) / 4294967296);

/** A table over `words` (new and empty when only a capacity is given). */
export function ngramTable(words: Uint32Array | number, precision: Precision, backoff: boolean): NgramTable {
  const wide = precision === 'float64';
  const stride = wide ? (backoff ? 6 : 4) : backoff ? 3 : 2;
  const buf = typeof words === 'number' ? new Uint32Array(words * stride) : words;
  const vals = wide
    ? new Float64Array(buf.buffer, buf.byteOffset, buf.length / 2)
    : new Float32Array(buf.buffer, buf.byteOffset, buf.length);
  return { words: buf, vals, stride, vstride: wide ? stride / 2 : stride, capacity: buf.length / stride };
}

/** The slot of key (p, w), or -1. */
export function findSlot(t: NgramTable, p: number, w: number): number {
  const { words, stride, capacity } = t;
  const f = fingerprint(p, w);
  let s = home(p, w, capacity);
  for (;;) {
    const x = words[s * stride];
    if (x === f) return s;
    if (x === 0) return -1;
    if (++s === capacity) s = 0;
  }
}

export function compileTables(
  orders: OrderCounts[],
  est: KnEstimate,
  precision: Precision,
): { tables: LmTables; collisions: number } {
  const F = precision === 'float64' ? Float64Array : Float32Array;
  const top = orders.length;
  const tables: NgramTable[] = [];
  let collisions = 0;
  let slotOf: Int32Array | null = null;
  for (let k = 1; k < top; k++) {
    const o = orders[k];
    const withBackoff = k < top - 1;
    const t = ngramTable(Math.max(2, Math.ceil(o.size / 0.7)), precision, withBackoff);
    const { words, vals, stride, vstride, capacity } = t;
    const slots = new Int32Array(o.size);
    for (let i = 0; i < o.size; i++) {
      const p = slotOf ? slotOf[o.prefix[i]] : o.prefix[i];
      const f = fingerprint(p, o.word[i]);
      let s = home(p, o.word[i], capacity);
      while (words[s * stride] !== 0) {
        if (words[s * stride] === f) collisions++;
        if (++s === capacity) s = 0;
      }
      words[s * stride] = f;
      vals[s * vstride + 1] = est.logp[k][i];
      if (withBackoff) vals[s * vstride + 2] = est.backoff[k][i];
      slots[i] = s;
    }
    tables.push(t);
    slotOf = slots;
  }
  const logp1 = F.from(est.logp[0]);
  const backoff1 = top > 1 ? F.from(est.backoff[0]) : new F(orders[0].size);
  return { tables: { order: top, logp1, backoff1, tables }, collisions };
}

let histScratch = new Int32Array(8);
let curScratch = new Int32Array(8);

/**
 * Σ ln p(w_i | history) over `ids` followed by `eos`, history starting at <s> (`bos`). Backoff: the
 * longest n-gram (h, w) in the tables gives ln p, plus ln γ of every longer context h that is present.
 */
export function sequenceLogProb(t: LmTables, ids: Uint32Array, bos: number, eos: number): number {
  if (t.order === 3) return trigramLogProb(t, ids, bos, eos);
  const top = t.order;
  const { logp1, backoff1, tables } = t;
  if (histScratch.length <= top) {
    histScratch = new Int32Array(top + 1);
    curScratch = new Int32Array(top + 1);
  }
  // hist[k] / cur[k]: slot of the k-gram ending at the previous / current word (-1: absent).
  let hist = histScratch.fill(-1);
  let cur = curScratch.fill(-1);
  hist[1] = bos;
  let total = 0;
  for (let i = 0; i <= ids.length; i++) {
    const w = i === ids.length ? eos : ids[i];
    cur[1] = w;
    let best = 1;
    let lp = 0;
    for (let n = 2; n <= top; n++) {
      // An n-gram is present only if its suffix (n-1)-gram is: stop looking after the first miss.
      const h = hist[n - 1];
      const s = h < 0 || best < n - 1 ? -1 : findSlot(tables[n - 2], h, w);
      cur[n] = s;
      if (s >= 0) best = n;
    }
    if (best === 1) lp = logp1[w];
    else {
      const tb = tables[best - 2];
      lp = tb.vals[cur[best] * tb.vstride + 1];
    }
    for (let k = best; k < top; k++) {
      const h = hist[k];
      if (h < 0) break;
      if (k === 1) lp += backoff1[h];
      else {
        const tb = tables[k - 2];
        lp += tb.vals[h * tb.vstride + 2];
      }
    }
    total += lp;
    const swap = hist;
    hist = cur;
    cur = swap;
  }
  return total;
}

/** `sequenceLogProb` unrolled for order 3 (the default), about 1.5× faster: fewer array round trips. */
function trigramLogProb(t: LmTables, ids: Uint32Array, bos: number, eos: number): number {
  const { logp1, backoff1 } = t;
  const [t2, t3] = t.tables;
  const v2 = t2.vals;
  const v3 = t3.vals;
  const s2 = t2.vstride;
  const s3 = t3.vstride;
  // h1: previous word; h2: slot of the bigram ending at the previous word (-1: absent).
  let h1 = bos;
  let h2 = -1;
  let total = 0;
  for (let i = 0; i <= ids.length; i++) {
    const w = i === ids.length ? eos : ids[i];
    const b = findSlot(t2, h1, w);
    const c = b >= 0 && h2 >= 0 ? findSlot(t3, h2, w) : -1;
    if (c >= 0) total += v3[c * s3 + 1];
    else {
      total += b >= 0 ? v2[b * s2 + 1] : logp1[w] + backoff1[h1];
      if (h2 >= 0) total += v2[h2 * s2 + 2];
    }
    h1 = w;
    h2 = b;
  }
  return total;
}

/** The slot of the n-gram ids[from..to] (inclusive) in its order's table, the word id for n = 1; -1: absent. */
function gramSlot(t: LmTables, ids: ArrayLike<number>, from: number, to: number): number {
  let s = ids[from];
  for (let j = from + 1; j <= to && s >= 0; j++) s = findSlot(t.tables[j - from - 1], s, ids[j]);
  return s;
}

/**
 * ln p(ids[m] | ids[0..m-1]) for m = ids.length - 1, straight from the ARPA backoff definition (the
 * context is the last order-1 ids; a context starting at <s> must include it). Slow: for tests and
 * one-off queries; `sequenceLogProb` is the fast path.
 */
export function ngramLogProb(t: LmTables, ids: ArrayLike<number>): number {
  const m = ids.length - 1;
  for (let n = Math.min(t.order, m + 1); n >= 1; n--) {
    const s = gramSlot(t, ids, m - n + 1, m);
    if (s < 0) continue;
    let lp = n === 1 ? t.logp1[s] : t.tables[n - 2].vals[s * t.tables[n - 2].vstride + 1];
    for (let k = n; k <= Math.min(t.order - 1, m); k++) {
      const h = gramSlot(t, ids, m - k, m - 1);
      if (h < 0) break;
      lp += k === 1 ? t.backoff1[h] : t.tables[k - 2].vals[h * t.tables[k - 2].vstride + 2];
    }
    return lp;
  }
  throw new RangeError(`word id ${ids[m]} is outside the vocabulary`);
}
