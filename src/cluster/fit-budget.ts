/**
 * How many sample rows one task can fit to convergence inside a Worker's limits: 128 MB of memory per
 * isolate and 30 s of CPU per invocation by default (docs/architecture.md). The task holds the sample
 * as float32 at the clustered dimension, the clustering kernel's int16 copy of it, its per-row working arrays, the model's parameters and, with
 * PCA, the d × d moments, covariance and eigenvectors; it may run every fit for `maxIter` iterations.
 */

import { pad8 } from './kernel-simd-rank.ts';

const MiB = 1024 * 1024;

/**
 * What a fit task may use: half the isolate's 128 MB (the rest is the runtime, the bundle, R2 read
 * buffers and garbage not yet collected) and a third of the default 30 s of CPU (a queue batch runs
 * its messages in one invocation, and the estimate below is from one machine).
 */
export const FIT_BUDGET = { memoryBytes: 64 * MiB, cpuMs: 10_000 } as const;

const FIT_BUDGET_COST: FitCost = { bytes: FIT_BUDGET.memoryBytes, cpuMs: FIT_BUDGET.cpuMs };

/**
 * Measured on the 2-core development machine (bench/cluster.ts kernels, Node 22, WebAssembly SIMD),
 * then doubled: nanoseconds per row and dimension of one k-means iteration (a + b·k, every distance
 * measured, no bounds) and one EM iteration (E-step + M-step), of PCA moments per row (D²/2 products
 * at 1.2 ns) and of the eigen-decomposition per D³ (2.8–5.6 ns).
 */
const NS = {
  kmeansRowDim: 3,
  kmeansRowDimK: 0.08,
  gmmRowDim: 6,
  gmmRowDimK: 0.2,
  pcaProduct: 2.4,
  eigenCube: 12,
} as const;

/**
 * Bytes per row besides the vectors: Hamerly bounds (labels, upper, lower, norms: 28), their working
 * arrays (36), the final labels and distances (12), rounded up.
 */
const ROW_WORK_BYTES = 80;

/** The kernel's int16 copy of a row, kept for the whole fit (WasmMemory.held16): 2·pad8(dim) + 16 B of stats. */
const heldRowBytes = (dim: number) => 2 * pad8(dim) + 16;

export interface FitSize {
  algorithm: 'kmeans' | 'gmm';
  /** The ks fitted one after the other (one, or a GMM grid). */
  ks: number[];
  /** Dimension the fit runs at. */
  dim: number;
  /** PCA from this dimension to `dim` inside the task (the sample is read at inputDim, part by part). */
  pcaFrom?: number;
  maxIter: number;
  /** Sample parts the task reads (one per shard); with PCA, each is read twice. */
  parts: number;
  /** k-means starts per k (`cluster.nInit`); a GMM runs EM once, from the best. Default 1. */
  nInit?: number;
}

export interface FitCost {
  bytes: number;
  cpuMs: number;
}

/** Memory and CPU of fitting `rows` sample rows (an upper bound: every fit runs maxIter iterations). */
export function fitCost(rows: number, size: FitSize): FitCost {
  const { memory, cpu } = linear(size);
  return { bytes: memory.fixed + memory.perRow * rows, cpuMs: (cpu.fixed + cpu.perRow * rows) / 1e6 };
}

/** The most rows whose fit stays within `budget`'s memory, and within its CPU. */
export function fitBudget(size: FitSize, budget: FitCost = FIT_BUDGET_COST): { memory: number; cpu: number } {
  const { memory, cpu } = linear(size);
  const rows = (limit: number, c: { fixed: number; perRow: number }) =>
    Math.max(0, Math.floor((limit - c.fixed) / c.perRow));
  return { memory: rows(budget.bytes, memory), cpu: rows(budget.cpuMs * 1e6, cpu) };
}

/** Bytes and nanoseconds as fixed + perRow · rows. */
function linear(size: FitSize) {
  const { algorithm, ks, dim, pcaFrom, maxIter, parts, nInit = 1 } = size;
  const kMax = Math.max(...ks);
  // Parameters and statistics of one k alive at a time: centroids or means, variances, Σx, Σx², copies.
  const paramBytes = 8 * 8 * kMax * dim;
  // PCA: Σxxᵀ, the covariance and the eigenvectors and their copy, float64; one part (≈ rows/parts
  // rows at inputDim, its R2 bytes and a decoded view) at a time, with 25% over the mean.
  const pcaBytes = pcaFrom ? 4 * 8 * pcaFrom * pcaFrom : 0;
  const partRow = pcaFrom
    ? (2 * 4 * pcaFrom * 1.25) / Math.max(1, parts)
    : (2 * 4 * dim * 1.25) / Math.max(1, parts);
  // Every fit runs maxIter iterations, plus about two passes: k-means++ and the final assignment;
  // k-means once per start.
  let perIter = 0;
  for (const k of ks) {
    perIter += nInit * dim * (NS.kmeansRowDim + NS.kmeansRowDimK * k);
    if (algorithm === 'gmm') perIter += dim * (NS.gmmRowDim + NS.gmmRowDimK * k);
  }
  const pcaNs = pcaFrom ? (NS.pcaProduct * (pcaFrom * pcaFrom)) / 2 + pcaFrom * dim * NS.pcaProduct : 0;
  return {
    memory: { fixed: paramBytes + pcaBytes, perRow: 4 * dim + ROW_WORK_BYTES + heldRowBytes(dim) + partRow },
    cpu: { fixed: pcaFrom ? NS.eigenCube * pcaFrom ** 3 : 0, perRow: (maxIter + 2) * perIter + pcaNs },
  };
}
