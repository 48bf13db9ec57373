import { describe, expect, it } from 'vitest';
import {
  createKmeansBounds,
  decodeCentroids,
  decodeGmmParams,
  decodeGmmStats,
  decodeKmeansBounds,
  decodeKmeansStats,
  encodeCentroids,
  encodeGmmParams,
  encodeGmmStats,
  encodeKmeansBounds,
  encodeKmeansStats,
  gmmFromKmeans,
  gmmStats,
  kmeansStats,
} from '../../../src/cluster/index.ts';
import { SIX, SIX_CENTROIDS } from './helpers.ts';

describe('codec', () => {
  const km = kmeansStats(SIX, SIX_CENTROIDS, 2);
  const params = gmmFromKmeans(SIX, SIX_CENTROIDS, 2);
  const gs = gmmStats(SIX, params);

  it('round-trips every type', () => {
    expect(decodeKmeansStats(encodeKmeansStats(km))).toEqual(km);
    expect(decodeGmmStats(encodeGmmStats(gs))).toEqual(gs);
    expect(decodeGmmParams(encodeGmmParams(params))).toEqual(params);
    expect(decodeCentroids(encodeCentroids(SIX_CENTROIDS, 2, 2))).toEqual({
      k: 2,
      dim: 2,
      centroids: SIX_CENTROIDS,
    });
  });

  it('round-trips k-means bounds, before and after a call', () => {
    const bounds = createKmeansBounds(SIX, 2);
    expect(decodeKmeansBounds(encodeKmeansBounds(bounds))).toEqual(bounds);
    kmeansStats(SIX, SIX_CENTROIDS, 2, bounds);
    const copy = decodeKmeansBounds(encodeKmeansBounds(bounds));
    expect(copy).toEqual(bounds);
    const next = Float64Array.from([2, 1, 10, 11]);
    expect(kmeansStats(SIX, next, 2, copy)).toEqual(kmeansStats(SIX, next, 2, bounds));
  });

  it('writes a 16-byte header and little-endian float64 values', () => {
    const bytes = encodeKmeansStats(km);
    expect(bytes.length).toBe(16 + 8 * (2 + 2 + 4));
    const view = new DataView(bytes.buffer);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('WKMS');
    expect([view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true)]).toEqual([1, 2, 2]);
    expect(view.getFloat64(16, true)).toBe(6); // n
    expect(view.getFloat64(24, true)).toBe(40); // inertia
    expect(view.getFloat64(48, true)).toBe(5); // sums[0]
    expect(encodeGmmStats(gs).length).toBe(16 + 8 * (2 + 2 + 2 * 4));
    expect(encodeGmmParams(params).length).toBe(16 + 8 * (2 + 2 * 4));
  });

  it('decodes from any byte offset and rejects wrong input', () => {
    const bytes = encodeGmmParams(params);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeGmmParams(shifted.subarray(3))).toEqual(params);
    expect(() => decodeKmeansStats(bytes)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: not k-means stats (expected magic WKMS)]`,
    );
    expect(() => decodeGmmParams(bytes.subarray(0, bytes.length - 8))).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: mixture params: length does not match k = 2, dim = 2]`,
    );
    const future = bytes.slice();
    future[4] = 2;
    expect(() => decodeGmmParams(future)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: unsupported mixture params version 2]`,
    );
  });
});
