import { radixOrder } from './radix.ts';
import type { Edges } from './reduce.ts';

/**
 * Growable edge columns between a partition's entries (`node`, `rank` by entry); `finish` orients each
 * edge (a < b), sorts (a, b, kind) and drops repeats.
 */
export class EdgeList {
  private a = new Uint32Array(1024);
  private b = new Uint32Array(1024);
  private rankA = new Float64Array(1024);
  private rankB = new Float64Array(1024);
  private kind = new Uint8Array(1024);
  private count = 0;

  private readonly node: Uint32Array;
  private readonly rank: Float64Array;

  constructor(node: Uint32Array, rank: Float64Array) {
    this.node = node;
    this.rank = rank;
  }

  add(x: number, y: number, kind: number): void {
    const { node, rank } = this;
    if (node[x] === node[y]) return;
    const lo = node[x] < node[y] ? x : y;
    const hi = lo === x ? y : x;
    if (this.count === this.a.length) this.grow();
    const i = this.count++;
    this.a[i] = node[lo];
    this.b[i] = node[hi];
    this.rankA[i] = rank[lo];
    this.rankB[i] = rank[hi];
    this.kind[i] = kind;
  }

  private grow(): void {
    const size = 2 * this.a.length;
    const more = <T extends Uint32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.a = more(this.a, (n) => new Uint32Array(n));
    this.b = more(this.b, (n) => new Uint32Array(n));
    this.rankA = more(this.rankA, (n) => new Float64Array(n));
    this.rankB = more(this.rankB, (n) => new Float64Array(n));
    this.kind = more(this.kind, (n) => new Uint8Array(n));
  }

  finish(): Edges {
    const { a, b, kind, count } = this;
    // By (a, b, kind), ties in insertion order.
    const order = radixOrder(count, [a, b, kind]);
    let m = 0;
    for (let k = 0; k < count; k++) {
      const i = order[k];
      const p = order[m - 1];
      if (m === 0 || a[i] !== a[p] || b[i] !== b[p] || kind[i] !== kind[p]) order[m++] = i;
    }
    const out: Edges = {
      count: m,
      a: new Uint32Array(m),
      b: new Uint32Array(m),
      rankA: new Float64Array(m),
      rankB: new Float64Array(m),
      kind: new Uint8Array(m),
    };
    for (let k = 0; k < m; k++) {
      const i = order[k];
      out.a[k] = a[i];
      out.b[k] = b[i];
      out.rankA[k] = this.rankA[i];
      out.rankB[k] = this.rankB[i];
      out.kind[k] = kind[i];
    }
    return out;
  }
}
