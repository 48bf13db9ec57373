import { describe, expect, it } from 'vitest';
import { solveScale } from '../../../src/pipeline/stages/export/weights.ts';
import {
  decodeFates,
  decodeIds,
  emptyFates,
  encodeFates,
  encodeIds,
  idAt,
  shardOf,
} from '../../../src/pipeline/stages/select/files.ts';

describe('select files', () => {
  it('round-trips record ids and fates, and rejects foreign bytes', () => {
    const ids = ['0123456789abcdef', 'ffffffff00000000'];
    expect(decodeIds(encodeIds(ids))).toEqual(ids);
    expect(idAt(encodeIds(ids), 1)).toBe(ids[1]);
    expect(() => idAt(encodeIds(ids), 2)).toThrow('record 2 is not in an ids file of 2');
    expect(() => encodeIds(['xyz'])).toThrow('record id must be 16 hex digits, got "xyz"');
    const f = emptyFates(2);
    f.node.set([7, 9]);
    f.code.set([0, 2]);
    f.cluster.set([1, 3]);
    f.by.set([0, 7]);
    f.sim.set([0, 0.5]);
    f.priority.set([0.25, 0.75]);
    expect(decodeFates(encodeFates(f))).toEqual(f);
    expect(() => decodeFates(encodeIds(ids))).toThrow('not a selection fate file');
  });

  it('finds the shard of a global index, skipping empty shards', () => {
    const starts = [0, 100, 100, 250];
    expect([0, 99, 100, 249, 250, 999].map((n) => shardOf(starts, n))).toEqual([0, 0, 2, 2, 3, 3]);
  });
});

describe('weights scale', () => {
  it('solves mean(clip(c·v, lo, hi)) = 1 (hand-computed references)', () => {
    // c = 0.4: [0.4→0.5, 0.8, 1.2, 1.6→1.5], mean 1.
    expect(solveScale([1, 2, 3, 4], 0.5, 1.5)).toBeCloseTo(0.4, 9);
    // Two zeros sit at the floor 0.5, so the ones must weigh 1.5: c = 1.5.
    expect(solveScale([0, 0, 1, 1], 0.5, 2)).toBeCloseTo(1.5, 9);
    // Nothing to scale: neutral.
    expect(solveScale([], 0.5, 2)).toBe(1);
    expect(solveScale([0, 0], 0.5, 2)).toBe(1);
  });
});
