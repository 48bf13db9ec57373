import { UNK } from './kn-counts.ts';

/**
 * Word hash → word id: vocabulary word `i` (its 32-bit `hashString`) has id i + 3; ids 0, 1, 2 are
 * <s>, </s>, <unk>. Open addressing over a power-of-two table, load ≤ 0.5.
 */
export class VocabIndex {
  readonly hashes: Uint32Array;
  private keys: Uint32Array;
  /** id + 1 per slot; 0 = empty (a hash can be 0, so emptiness is kept apart). */
  private vals: Int32Array;
  private mask: number;

  constructor(hashes: Uint32Array) {
    this.hashes = hashes;
    let cap = 16;
    while (cap < hashes.length * 2) cap *= 2;
    this.mask = cap - 1;
    this.keys = new Uint32Array(cap);
    this.vals = new Int32Array(cap);
    for (let i = 0; i < hashes.length; i++) {
      let s = hashes[i] & this.mask;
      while (this.vals[s] !== 0) s = (s + 1) & this.mask;
      this.keys[s] = hashes[i];
      this.vals[s] = i + 4;
    }
  }

  /** The id of a word hash; <unk> when it is not in the vocabulary. */
  id(hash: number): number {
    let s = hash & this.mask;
    for (;;) {
      const v = this.vals[s];
      if (v === 0) return UNK;
      if (this.keys[s] === hash) return v - 1;
      s = (s + 1) & this.mask;
    }
  }

  /** Ids of a sequence of word hashes, in place of a copy. */
  ids(hashes: Uint32Array): Uint32Array {
    const out = new Uint32Array(hashes.length);
    for (let i = 0; i < hashes.length; i++) out[i] = this.id(hashes[i]);
    return out;
  }
}
