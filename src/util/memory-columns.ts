/** Values by (column, content hash) in memory: the one-process stand-in for a dataset's cell caches. */
export class MemoryColumns<V> {
  readonly columns = new Map<string, Map<string, V>>();
  private readonly copy: (v: V) => V;

  constructor(copy: (v: V) => V = (v) => v) {
    this.copy = copy;
  }

  async get(column: string, hashes: readonly string[]): Promise<Map<string, V>> {
    const col = this.columns.get(column);
    const out = new Map<string, V>();
    if (col)
      for (const h of hashes) {
        const v = col.get(h);
        if (v !== undefined) out.set(h, v);
      }
    return out;
  }

  async put(column: string, cells: readonly (readonly [string, V])[]): Promise<void> {
    let col = this.columns.get(column);
    if (!col) this.columns.set(column, (col = new Map()));
    for (const [h, v] of cells) col.set(h, this.copy(v));
  }
}
