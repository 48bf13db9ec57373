import { combineHash, fmix32, hashString } from './hash.ts';

export interface NgramOptions {
  /** Word n-gram orders, each ≥ 1. */
  orders?: readonly number[];
  /** Character n-gram orders inside each word, fastText-style over `<word>`; none by default. */
  charOrders?: readonly number[];
  /** Changes every hash (FNV offset basis XOR seed). */
  seed?: number;
}

export interface HashedNgramOptions extends NgramOptions {
  /** Number of buckets, an integer in [1, 2^31]; a power of two is customary but not needed. */
  buckets: number;
}

/**
 * One 32-bit hash per n-gram occurrence: for each order n in `orders`, every run of n consecutive
 * tokens (a word's hash is `hashString(word, seed)`, an n-gram's is `combineHash` folded left over its
 * words), then each character n-gram of `<word>` for n in `charOrders` (`hashString` with a basis
 * offset by the order, so a character n-gram never shares a hash with a word by construction).
 * `tokens` may also be the word hashes themselves (`wordHashes(text, seed)`, the fast path), when
 * there are no character n-grams.
 */
export function ngramHashes(tokens: readonly string[] | Uint32Array, opts: NgramOptions = {}): Uint32Array {
  const { orders = [1, 2], charOrders = [], seed = 0 } = opts;
  const t = tokens.length;
  if (tokens instanceof Uint32Array && charOrders.length > 0) {
    throw new TypeError('character n-grams need the words, not their hashes');
  }
  let total = 0;
  for (const n of orders) {
    checkOrder(n, 'orders');
    total += Math.max(0, t - n + 1);
  }
  const strings = tokens instanceof Uint32Array ? [] : tokens;
  for (const n of charOrders) {
    checkOrder(n, 'charOrders');
    for (const w of strings) total += Math.max(0, w.length + 3 - n);
  }
  const out = new Uint32Array(total);
  const word = tokens instanceof Uint32Array ? tokens : Uint32Array.from(strings, (w) => hashString(w, seed));
  let k = 0;
  for (const n of orders) {
    for (let i = 0; i + n <= t; i++) {
      let h = word[i];
      for (let j = 1; j < n; j++) h = combineHash(h, word[i + j]);
      out[k++] = h;
    }
  }
  for (const n of charOrders) {
    const basis = fmix32(seed ^ Math.imul(n, 0x9e3779b9));
    for (const w of strings) {
      const s = `<${w}>`;
      for (let i = 0; i + n <= s.length; i++) out[k++] = hashString(s.slice(i, i + n), basis);
    }
  }
  return out;
}

/** The bucket of a 32-bit hash: `hash % buckets`. */
export function bucketOf(hash: number, buckets: number): number {
  return (hash >>> 0) % buckets;
}

/** A ±1 sign for signed feature hashing, from a remix of the hash independent of its bucket. */
export function signOf(hash: number): 1 | -1 {
  return fmix32(hash ^ 0x5bd1e995) >>> 31 === 0 ? 1 : -1;
}

/** Bucket ids of every n-gram occurrence (see `ngramHashes`), in the same order. */
export function hashedNgrams(tokens: readonly string[] | Uint32Array, opts: HashedNgramOptions): Uint32Array {
  checkBuckets(opts.buckets);
  const h = ngramHashes(tokens, opts);
  for (let i = 0; i < h.length; i++) h[i] = h[i] % opts.buckets;
  return h;
}

export function checkBuckets(buckets: number): void {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 2 ** 31) {
    throw new RangeError(`buckets must be an integer in [1, 2^31], got ${buckets}`);
  }
}

function checkOrder(n: number, name: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must hold integers ≥ 1, got ${n}`);
}
