import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { scoreCache, vectorCache } from '../../workers/score-cache.ts';

describe('vector cache on the ScoreCache objects', () => {
  it('keeps vectors by content hash and column, apart from score cells', async () => {
    const cache = vectorCache(env, 'vc');
    const hashes = Array.from({ length: 40 }, (_, i) =>
      i
        .toString(16)
        .padStart(32, '0')
        .replace(/^0/, (i % 16).toString(16)),
    );
    const vec = (i: number) => Float32Array.from({ length: 384 }, (_, j) => Math.sin(i * 384 + j));
    await cache.put(
      'embed:openai@1:abc',
      hashes.map((h, i) => [h, vec(i)] as const),
    );
    const got = await cache.get('embed:openai@1:abc', [...hashes, 'f'.repeat(32)]);
    expect(got.size).toBe(40);
    for (const [i, h] of hashes.entries()) expect(got.get(h)).toEqual(vec(i));
    expect((await cache.get('embed:openai@2:abc', hashes)).size).toBe(0);
    expect((await scoreCache(env, 'vc').get('length@1:x', hashes)).size).toBe(0);
  });
});
