import { describe, expect, it } from 'vitest';
import { WinnowError } from '../../../src/errors.ts';
import { bytesSource, planShards } from '../../../src/formats/index.ts';
import { GiB, MAX_SHARDS_PER_JOB, MiB } from '../../../src/limits.ts';
import { checkShardCount, shardBound } from '../../../src/pipeline/shard-limit.ts';

const encode = (s: string) => new TextEncoder().encode(s);

function refusal(sizes: number[], shardBytes: number): WinnowError {
  try {
    checkShardCount(sizes, shardBytes);
  } catch (e) {
    if (e instanceof WinnowError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('shard limit', () => {
  it('bounds the shards the planner makes: exactly for JSONL, from above for arrays', async () => {
    const jsonl = encode('{"instruction":"a","output":"b"}\n'.repeat(300));
    const array = encode(
      JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, text: 'x'.repeat(i % 40) }))),
    );
    for (const shardBytes of [1, 100, 1000, 4096]) {
      const lines = await planShards(bytesSource(jsonl), { part: 0, shardBytes });
      expect(shardBound([jsonl.length], shardBytes)).toBe(lines.length);
      const elements = await planShards(bytesSource(array), { part: 0, shardBytes });
      expect(shardBound([array.length], shardBytes)).toBeGreaterThanOrEqual(elements.length);
    }
  });

  it(`refuses a job over ${MAX_SHARDS_PER_JOB} shards, naming the shardBytes that fits`, () => {
    expect(() => checkShardCount([10 * GiB], 4 * MiB)).not.toThrow(); // the scale target: 2,560 shards
    const e = refusal([10 * GiB, 2 * GiB], 1 * MiB);
    expect(e.code).toBe('too_many_shards');
    expect(e.path).toBe('recipe.shardBytes');
    expect(e.message).toMatchInlineSnapshot(
      `"recipe.shardBytes: 12 GiB in 2 objects cut into shards of 1 MiB makes up to 12288 shards, over the limit of 10000 per job: set recipe.shardBytes to 1289216 (1.2 MiB) or more"`,
    );
    expect(shardBound([10 * GiB, 2 * GiB], 1289216)).toBeLessThanOrEqual(MAX_SHARDS_PER_JOB);
    expect(shardBound([10 * GiB, 2 * GiB], 1289216 - 1024)).toBeGreaterThan(MAX_SHARDS_PER_JOB);
    // More objects than shards allowed: no shardBytes fits.
    expect(refusal(new Array(10_001).fill(10), 1024).message).toContain('join some of them');
  });
});
