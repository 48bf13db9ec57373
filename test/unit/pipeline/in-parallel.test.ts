import { describe, expect, it } from 'vitest';
import { inParallel } from '../../../src/pipeline/in-parallel.ts';

describe('inParallel', () => {
  it('keeps at most `limit` calls pending and returns the results in index order', async () => {
    let pending = 0;
    let most = 0;
    const order: number[] = [];
    const out = await inParallel(
      20,
      async (i) => {
        pending++;
        most = Math.max(most, pending);
        // later indexes finish first within a wave
        await new Promise((ok) => setTimeout(ok, (20 - i) % 7));
        order.push(i);
        pending--;
        return i * i;
      },
      6,
    );
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    expect(most).toBe(6);
    expect(order).not.toEqual([...order].sort((a, b) => a - b)); // they did overlap
    expect(await inParallel(0, async () => 1)).toEqual([]);
    expect(await inParallel(3, async (i) => i, 10)).toEqual([0, 1, 2]);
  });

  it('rejects with the first failure and checks its limit', async () => {
    await expect(
      inParallel(5, async (i) => {
        if (i === 3) throw new Error('shard 3 is missing');
        return i;
      }),
    ).rejects.toThrow('shard 3 is missing');
    await expect(inParallel(2, async (i) => i, 0)).rejects.toThrow('limit must be an integer >= 1');
  });
});
