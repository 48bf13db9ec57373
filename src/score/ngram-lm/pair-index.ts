import { fmix32 } from '../features/hash.ts';

/**
 * A growable open-addressing map from an exact pair of u32 keys (a, b) to a dense index 0, 1, 2, …
 * in insertion order. Used while counting n-grams: (index of the prefix (n-1)-gram, word id).
 */
export class PairIndex {
  size = 0;
  private keysA: Uint32Array;
  private keysB: Uint32Array;
  private slots: Int32Array;
  private mask: number;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap).fill(-1);
    this.keysA = new Uint32Array(cap / 2);
    this.keysB = new Uint32Array(cap / 2);
  }

  /** The dense index of (a, b), adding it if new; `size` grows by one exactly when it was new. */
  getOrAdd(a: number, b: number): number {
    if (this.size === this.keysA.length) this.grow();
    let s = fmix32(Math.imul(a, 0x9e3779b1) ^ b) & this.mask;
    for (;;) {
      const i = this.slots[s];
      if (i < 0) break;
      if (this.keysA[i] === a && this.keysB[i] === b) return i;
      s = (s + 1) & this.mask;
    }
    const i = this.size++;
    this.keysA[i] = a;
    this.keysB[i] = b;
    this.slots[s] = i;
    return i;
  }

  private grow(): void {
    const n = this.keysA.length;
    const keysA = new Uint32Array(n * 2);
    const keysB = new Uint32Array(n * 2);
    keysA.set(this.keysA);
    keysB.set(this.keysB);
    this.keysA = keysA;
    this.keysB = keysB;
    this.mask = n * 4 - 1;
    this.slots = new Int32Array(n * 4).fill(-1);
    for (let i = 0; i < n; i++) {
      let s = fmix32(Math.imul(keysA[i], 0x9e3779b1) ^ keysB[i]) & this.mask;
      while (this.slots[s] >= 0) s = (s + 1) & this.mask;
      this.slots[s] = i;
    }
  }
}
