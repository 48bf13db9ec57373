/** Memory management and data movement for the WebAssembly kernel (see kernel-simd.ts). */

import type { Matrix } from './types.ts';

/** The exports of kernel.wat (pointers are byte offsets into `memory`). */
export interface KernelExports {
  memory: WebAssembly.Memory;
  gemm(x: number, m: number, y: number, k: number, w: number, out: number, ldo: number): void;
  /** idx: a list of the block's row numbers in src (byte offset), or −1 for rows 0..m − 1 (also finish, rownorms). */
  prep(
    src: number,
    m: number,
    w: number,
    shift: number,
    dst: number,
    sq: number,
    norms: number,
    idx: number,
  ): void;
  /** int16 rows for gemm16 and their stats (a, Σ|q|, Σx'²), see kernel.wat. */
  quant(
    src: number,
    m: number,
    w: number,
    shift: number,
    idx: number,
    lv: number,
    dst: number,
    w16: number,
    stats: number,
  ): void;
  /** idx as in prep (−1: rows 0..m − 1); with m odd, row m of the list is read too. */
  gemm16(x: number, m: number, y: number, k: number, w: number, out: number, ldo: number, idx: number): void;
  own16(x: number, idx: number, m: number, w: number, y: number, labels: number, out: number): void;
  argmin16(
    out: number,
    m: number,
    kp: number,
    ldo: number,
    cv: number,
    stats: number,
    eu: number,
    labels: number,
    second: number,
    idx: number,
  ): void;
  argmin(out: number, m: number, kp: number, ldo: number, cn: number, labels: number, second: number): void;
  candidates(
    out: number,
    m: number,
    k: number,
    ldo: number,
    cst: number,
    norms: number,
    gamma: number,
    maxA: number,
    maxB: number,
    tail: number,
    comps: number,
    counts: number,
  ): void;
  wsqdist(x: number, mu: number, a: number, w: number): number;
  addrow2(x: number, r: number, sx: number, sxx: number, w: number): void;
  finish(
    x: number,
    m: number,
    w: number,
    labels: number,
    prev: number,
    c: number,
    sums: number,
    dist: number,
    mode: number,
    idx: number,
  ): void;
  rownorms(x: number, m: number, w: number, origin: number, out: number, idx: number): void;
  gather(src: number, idx: number, m: number, w: number, dst: number): void;
  pairs(c: number, k: number, w: number, a0: number, a1: number, out: number): void;
}

/**
 * Where gatherRows may stage a window of source rows (byte offsets): `rows` rows w wide at `at`, and
 * the window-relative index of each gathered row at `idx`.
 */
export interface GatherStage {
  at: number;
  rows: number;
  idx: number;
}

/** float32 unit roundoff. */
export const U32 = 2 ** -24;
export const pad4 = (v: number) => (v + 3) & ~3;
/** Rows per block: about 32 KiB of float32 input, an even number (the product tile is 2 rows). */
export const blockRows = (w: number) => Math.max(2, Math.min(256, Math.floor(8192 / w))) & ~1;

/**
 * A matrix's rows kept in the module's memory from one call to the next as int16 (quant's output:
 * n rows w16 wide at `rows`, their stats at `stats`, 16 bytes a row), shifted by the float32 point
 * at `origin` (dim values). Byte offsets; `ready` once every row is filled.
 */
export interface HeldRows {
  rows: number;
  stats: number;
  origin: number;
  ready: boolean;
}

/** The instance's memory, its current views (replaced when it grows), and the row movers. */
export interface WasmMemory {
  ex: KernelExports;
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  /**
   * Byte offsets (64-byte aligned) of consecutive regions of the given sizes, after the held rows;
   * grows memory.
   */
  allocate<K extends string>(sizes: Record<K, number>): Record<K, number>;
  /**
   * The int16 rows of x held in this memory, or null when x is not the matrix held (or its rows are
   * not all filled). With `take` and x not held, the space for them is made (the rows held before
   * are dropped) and returned not ready: the caller fills it and sets `ready`. x is known by its
   * data array (weakly), which must not change while its rows are held. Call it before
   * `allocate`: the regions move when the held rows change.
   */
  held16(x: Matrix, w16: number, take: boolean): HeldRows | null;
  /** Forgets the held rows (their memory is reused by the next allocation). */
  dropHeld(): void;
  /** Rows [start, start + m) of data into float32 rows w wide at byte offset dst, zero-padded. */
  loadRows(data: Float32Array, dim: number, w: number, start: number, m: number, dst: number): void;
  /**
   * Rows rows[from..from + m) of data into float32 rows w wide at byte offset dst, zero-padded. With
   * `stage`, rows that fall in a window of at most stage.rows rows are copied as the whole window at
   * once and gathered inside the module.
   */
  gatherRows(
    data: Float32Array,
    dim: number,
    w: number,
    rows: Int32Array,
    from: number,
    m: number,
    dst: number,
    stage?: GatherStage,
  ): void;
  /** Float64 rows (k × dim) into rows w wide at byte offset dst, zero-padded. */
  storeRows64(src: Float64Array, k: number, dim: number, w: number, dst: number): void;
  /** Shifted float32 copies of t points (rows w wide, tp rows, zero beyond t) and their norms. */
  storePoints(
    points: Float64Array,
    t: number,
    tp: number,
    dim: number,
    w: number,
    at: { shift: number; y: number; cn: number },
  ): void;
}

export function createWasmMemory(module: WebAssembly.Module): WasmMemory {
  const ex = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  /** The matrix whose int16 rows start the memory (its data array weakly), and their bytes. */
  let held: {
    data: WeakRef<Float32Array>;
    n: number;
    dim: number;
    w16: number;
    bytes: number;
    rows: HeldRows;
  } | null = null;
  const mem: WasmMemory = {
    ex,
    f32: new Float32Array(ex.memory.buffer),
    f64: new Float64Array(ex.memory.buffer),
    i32: new Int32Array(ex.memory.buffer),
    allocate,
    held16,
    dropHeld: () => {
      held = null;
    },
    loadRows,
    gatherRows,
    storeRows64,
    storePoints,
  };

  /** Byte offsets (64-byte aligned) of consecutive regions of the given sizes; grows memory. */
  function allocate<K extends string>(sizes: Record<K, number>): Record<K, number> {
    const at = {} as Record<K, number>;
    let end = held ? held.bytes : 0;
    for (const key of Object.keys(sizes) as K[]) {
      at[key] = end;
      end += (sizes[key] + 63) & ~63;
    }
    reserve(end);
    return at;
  }

  /** Grows memory to at least `end` bytes and renews the views. */
  function reserve(end: number): void {
    const missing = end - mem.ex.memory.buffer.byteLength;
    if (missing <= 0) return;
    mem.ex.memory.grow(Math.ceil(missing / 65536));
    mem.f32 = new Float32Array(mem.ex.memory.buffer);
    mem.f64 = new Float64Array(mem.ex.memory.buffer);
    mem.i32 = new Int32Array(mem.ex.memory.buffer);
  }

  function held16(x: Matrix, w16: number, take: boolean): HeldRows | null {
    const { data, n, dim } = x;
    if (held && held.data.deref() === data && held.n === n && held.dim === dim && held.w16 === w16) {
      if (held.rows.ready || take) return held.rows;
      return null;
    }
    if (!take) return null;
    const align = (v: number) => (v + 63) & ~63;
    const rows = { rows: 0, stats: align(n * w16 * 2), origin: 0, ready: false };
    rows.origin = rows.stats + align(n * 16);
    const bytes = rows.origin + align(pad4(dim) * 4);
    held = { data: new WeakRef(data), n, dim, w16, bytes, rows };
    reserve(bytes);
    return rows;
  }

  /** Rows [start, start + m) of data into float32 rows w wide at byte offset dst, zero-padded. */
  function loadRows(data: Float32Array, dim: number, w: number, start: number, m: number, dst: number): void {
    const base = dst >> 2;
    if (dim === w) {
      mem.f32.set(data.subarray(start * dim, (start + m) * dim), base);
      return;
    }
    for (let i = 0; i < m; i++) {
      const o = base + i * w;
      mem.f32.set(data.subarray((start + i) * dim, (start + i + 1) * dim), o);
      mem.f32.fill(0, o + dim, o + w);
    }
  }

  /** Float64 rows (k × dim) into rows w wide at byte offset dst, zero-padded. */
  function storeRows64(src: Float64Array, k: number, dim: number, w: number, dst: number): void {
    const base = dst >> 3;
    mem.f64.fill(0, base, base + k * w);
    for (let c = 0; c < k; c++) mem.f64.set(src.subarray(c * dim, (c + 1) * dim), base + c * w);
  }

  /** Shifted float32 copies of t points (rows w wide, tp rows, zero beyond t) and their norms. */
  function storePoints(
    points: Float64Array,
    t: number,
    tp: number,
    dim: number,
    w: number,
    at: { shift: number; y: number; cn: number },
  ): void {
    const shift = new Float64Array(dim);
    for (let p = 0; p < t; p++) for (let j = 0; j < dim; j++) shift[j] += points[p * dim + j];
    const s = at.shift >> 2;
    mem.f32.fill(0, s, s + w);
    for (let j = 0; j < dim; j++) mem.f32[s + j] = shift[j] / t;
    const y = at.y >> 2;
    mem.f32.fill(0, y, y + tp * w);
    for (let p = 0; p < t; p++) {
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const v = Math.fround(points[p * dim + j] - mem.f32[s + j]);
        mem.f32[y + p * w + j] = v;
        norm += v * v;
      }
      mem.f32[(at.cn >> 2) + p] = norm;
    }
    mem.f32.fill(Number.POSITIVE_INFINITY, (at.cn >> 2) + t, (at.cn >> 2) + tp);
  }

  /** Rows rows[from..from + m) of data into float32 rows w wide at byte offset dst, zero-padded. */
  function gatherRows(
    data: Float32Array,
    dim: number,
    w: number,
    rows: Int32Array,
    from: number,
    m: number,
    dst: number,
    stage?: GatherStage,
  ): void {
    const base = dst >> 2;
    if (stage && dim === w && m > 0) {
      let first = rows[from];
      let last = first;
      for (let i = 1; i < m; i++) {
        const r = rows[from + i];
        if (r < first) first = r;
        else if (r > last) last = r;
      }
      // Dense enough: one copy of the window (one call, however many runs), then a gather in the module.
      if (last - first < stage.rows) {
        mem.f32.set(data.subarray(first * dim, (last + 1) * dim), stage.at >> 2);
        const idx = stage.idx >> 2;
        for (let i = 0; i < m; i++) mem.i32[idx + i] = rows[from + i] - first;
        mem.ex.gather(stage.at, stage.idx, m, w, dst);
        return;
      }
    }
    if (dim !== w) {
      for (let i = 0; i < m; i++) {
        const o = base + i * w;
        const r = rows[from + i];
        mem.f32.set(data.subarray(r * dim, (r + 1) * dim), o);
        mem.f32.fill(0, o + dim, o + w);
      }
      return;
    }
    // Runs of consecutive rows in one copy each.
    for (let i = 0; i < m; ) {
      const r = rows[from + i];
      let run = 1;
      while (i + run < m && rows[from + i + run] === r + run) run++;
      mem.f32.set(data.subarray(r * dim, (r + run) * dim), base + i * w);
      i += run;
    }
  }

  return mem;
}
