import { describe, expect, it } from 'vitest';
import { FIT_BUDGET, type FitSize, fitBudget, fitCost } from '../../../src/cluster/index.ts';

const GMM_8: FitSize = { algorithm: 'gmm', ks: [8], dim: 256, maxIter: 50, parts: 10 };
const PCA_KMEANS: FitSize = { algorithm: 'kmeans', ks: [16], dim: 64, pcaFrom: 768, maxIter: 50, parts: 100 };

describe('fitBudget: the sample one task can fit', () => {
  it('sizes a GMM at 256-d by hand: memory 64 MiB / 1,888 B a row, CPU 10 s / 150 µs a row', () => {
    // Memory: 4·256 B of vector + 80 B of work + 2·256 + 16 B of the kernel's int16 copy + 2·4·256·1.25 / 10 B
    // of one part in flight a row, beside 64·k·dim B of parameters. CPU: (50 + 2) iterations of k-means (256·(3 + 0.08·8) ns a
    // row) and EM (256·(6 + 0.2·8) ns).
    expect(fitBudget(GMM_8)).toEqual({
      memory: Math.floor((64 * 2 ** 20 - 64 * 8 * 256) / 1888),
      cpu: Math.floor(1e10 / (52 * (256 * 3.64 + 256 * 7.6))),
    });
    expect(fitBudget(GMM_8)).toEqual({ memory: 35475, cpu: 66832 });
  });

  it('counts the PCA moments, covariance and eigen-decomposition from 768-d', () => {
    // 32·768² B of d × d float64 matrices, 2·64 + 16 B a row of the kernel's int16 copy; CPU 768²/2 products a row at 2.4 ns, the projection, and 12 ns·768³.
    expect(fitBudget(PCA_KMEANS)).toEqual({ memory: 86510, cpu: 5433 });
  });

  it('is the largest sample whose cost is within the budget', () => {
    for (const size of [GMM_8, PCA_KMEANS, { ...GMM_8, ks: [4, 8, 16, 32] }]) {
      const rows = fitBudget(size);
      expect(fitCost(rows.memory, size).bytes).toBeLessThanOrEqual(FIT_BUDGET.memoryBytes);
      expect(fitCost(rows.memory + 1, size).bytes).toBeGreaterThan(FIT_BUDGET.memoryBytes);
      expect(fitCost(rows.cpu, size).cpuMs).toBeLessThanOrEqual(FIT_BUDGET.cpuMs);
      expect(fitCost(rows.cpu + 1, size).cpuMs).toBeGreaterThan(FIT_BUDGET.cpuMs);
    }
    // A grid costs the sum of its fits.
    const grid = fitCost(1000, { ...GMM_8, ks: [4, 8] }).cpuMs;
    expect(grid).toBeCloseTo(fitCost(1000, { ...GMM_8, ks: [4] }).cpuMs + fitCost(1000, GMM_8).cpuMs, 9);
  });
});
