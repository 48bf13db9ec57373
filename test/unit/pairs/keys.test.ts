import { describe, expect, it } from 'vitest';
import { keyHash, keyHash53, partitionOf, rolloutHash, tieKey } from '../../../src/pairs/keys.ts';
import { pairPartitions } from '../../../src/pipeline/stages/pairs/scatter.ts';
import type { JobSpec } from '../../../src/pipeline/types.ts';

describe('pair keys', () => {
  it('rolloutHash: fixed values, 32 hex chars, sensitive to every character', () => {
    // Reference values pinned at implementation: a change here changes every rollout's id and cells.
    expect(rolloutHash('')).toBe('635edc6bf6b3d67c2e544ad8641d7a89');
    expect(rolloutHash('{"task":"a","steps":[{"action":1}]}')).toBe('7ac953c9168397208a77baa355918ee9');
    expect(rolloutHash('{"task":"a","steps":[{"action":2}]}')).not.toBe(
      rolloutHash('{"task":"a","steps":[{"action":1}]}'),
    );
    expect(rolloutHash('ab')).not.toBe(rolloutHash('ba'));
  });

  it('rolloutHash spreads: 200,000 near-identical lines, no collision even in the first 48 bits', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(rolloutHash(`{"task":"t${i}"}`).slice(0, 12));
    expect(seen.size).toBe(200_000);
    // The first hex digit picks the ScoreCache shard: roughly uniform.
    const first = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) first[Number.parseInt(rolloutHash(`r${i}`)[0], 16)]++;
    for (const n of first) expect(Math.abs(n - 1000)).toBeLessThan(150);
  });

  it('keyHash53 is an exact integer below 2^53; partitions and tie keys are stable', () => {
    expect(keyHash53('task-1')).toBe(4856014348723381);
    expect(Number.isSafeInteger(keyHash53('x'))).toBe(true);
    expect(partitionOf('task-1', 7)).toBe(3);
    expect(partitionOf('task-1', 7)).toBe(keyHash('task-1') % 7);
    expect(tieKey('a', 'b')).not.toBe(tieKey('b', 'a'));
  });
});

describe('default partitions', () => {
  const spec = (bytes: number[], partitions?: number) =>
    ({
      objects: bytes.map((size, i) => ({ key: `k${i}`, size, etag: '' })),
      recipe: { pairs: partitions ? { partitions } : {} },
    }) as unknown as JobSpec;
  it('one per 8 MiB of input, 1 to 1024; the recipe can set them', () => {
    const MiB = 1024 * 1024;
    expect(pairPartitions(spec([100]))).toBe(1);
    expect(pairPartitions(spec([8 * MiB]))).toBe(1);
    expect(pairPartitions(spec([8 * MiB, 1]))).toBe(2);
    expect(pairPartitions(spec([121 * MiB]))).toBe(16);
    expect(pairPartitions(spec([20_000 * MiB]))).toBe(1024);
    expect(pairPartitions(spec([121 * MiB], 3))).toBe(3);
  });
});
