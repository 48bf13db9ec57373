import { describe, expect, it } from 'vitest';
import {
  type HashedConfig,
  HashedConfigSchema,
  hashedEmbedder,
  idfOf,
  resolveEmbedder,
} from '../../../src/embed/index.ts';
import type { WinnowError } from '../../../src/errors.ts';
import { cosine, rec, row } from './support.ts';

const config = (over: Partial<HashedConfig> = {}) => HashedConfigSchema.parse(over);
const prep = hashedEmbedder.prepare!;
const embed = (records: ReturnType<typeof rec>[], c: HashedConfig, model?: Float32Array) =>
  hashedEmbedder.embed(records, c, { model }) as Float32Array;

const topics = ['bake bread', 'train a neural network', 'plant tomatoes', 'fix a flat tyre', 'learn French'];
const records = Array.from({ length: 30 }, (_, i) =>
  rec(
    `How do I ${topics[i % 5]}? (question ${i})`,
    `To ${topics[i % 5]}, start small and practise ${i % 3 === 0 ? 'daily' : 'weekly'}. Step ${i}.`,
  ),
);

describe('hashed embedder', () => {
  it('is deterministic, and the seed changes it', () => {
    const c = config();
    expect(embed(records, c)).toEqual(embed(records, c));
    expect(embed(records, config({ seed: 7 }))).not.toEqual(embed(records, c));
  });

  it('writes unit rows, and a zero row for a record without text', () => {
    const c = config({ dim: 128 });
    const idf = prep.finalize(prep.partial(records, c), c);
    const out = embed([...records, rec('', '')], c, idf);
    expect(out).toHaveLength(31 * 128);
    for (let i = 0; i < 30; i++) {
      const r = row(out, 128, i);
      expect(Math.hypot(...r)).toBeCloseTo(1, 5);
    }
    expect(row(out, 128, 30).every((x) => x === 0)).toBe(true);
  });

  it('gets the same idf from three merged shard partials (through bytes) as from one pass', () => {
    const c = config();
    const shards = [records.slice(0, 7), records.slice(7, 19), records.slice(19)];
    const partials = shards.map((s) => prep.decodePartial(prep.encodePartial(prep.partial(s, c))));
    const merged = partials.reduce((a, b) => prep.merge(a, b));
    const whole = prep.partial(records, c);
    expect(merged.docs).toBe(30);
    expect(merged.df).toEqual(whole.df);
    const idf = prep.decodeModel(prep.encodeModel(prep.finalize(merged, c)));
    expect(idf).toEqual(prep.finalize(whole, c));
    expect(embed(records, c, idf)).toEqual(embed(records, c, prep.finalize(whole, c)));
  });

  it('uses smooth idf: ln((1 + N) / (1 + df)) + 1', () => {
    const idf = idfOf({ docs: 9, df: Uint32Array.of(0, 9, 4) });
    expect([...idf]).toEqual([Math.log(10) + 1, 1, Math.log(2) + 1].map(Math.fround));
  });

  it('puts paraphrases closer than unrelated texts', () => {
    const c = config();
    const texts = [
      rec(
        'How do I bake chocolate chip cookies?',
        'Mix butter, sugar, flour and chocolate chips, then bake.',
      ),
      rec(
        'How can I bake chocolate cookies at home?',
        'Mix flour, butter, sugar and chocolate chips; bake them.',
      ),
      rec('Explain general relativity.', 'Gravity is the curvature of spacetime caused by mass and energy.'),
    ];
    for (const c2 of [c, config({ charNgrams: false }), config({ dim: 1024 })]) {
      const out = embed(texts, c2, prep.finalize(prep.partial([...texts, ...records], c2), c2));
      const [a, b, z] = [0, 1, 2].map((i) => row(out, c2.dim, i));
      expect(cosine(a, b)).toBeGreaterThan(cosine(a, z) + 0.2);
    }
  });

  it('reads the chosen field', () => {
    const a = rec('same question', 'first answer');
    const b = rec('same question', 'a completely different reply');
    const out = embed([a, b], config({ field: 'instruction' }));
    expect(row(out, 256, 0)).toEqual(row(out, 256, 1));
    expect(embed([a], config({ field: 'answer' }))).not.toEqual(row(out, 256, 0));
  });

  it('checks its config, and the model against it', () => {
    const issue = (config: Record<string, unknown>) => {
      try {
        resolveEmbedder({ id: 'hashed', config });
      } catch (e) {
        return (e as WinnowError).message;
      }
      return 'ok';
    };
    expect(issue({ dim: 32 })).toMatchInlineSnapshot(`"embed.config.dim: dim must be in [64, 1024]"`);
    expect(issue({ dim: 2048 })).toMatchInlineSnapshot(`"embed.config.dim: dim must be in [64, 1024]"`);
    expect(issue({ dim: 100.5 })).toMatchInlineSnapshot(`"embed.config.dim: dim must be an integer"`);
    expect(issue({ charNgrams: [5, 3] })).toMatchInlineSnapshot(
      `"embed.config.charNgrams: charNgrams is [min, max] with min ≤ max"`,
    );
    expect(issue({ dim: 64 })).toBe('ok');
    expect(resolveEmbedder({ id: 'hashed' }).dim).toBe(256);
    expect(() => embed(records, config(), new Float32Array(128))).toThrow(
      'embedder "hashed": the idf model has 128 buckets, but config.dim is 256',
    );
  });
});
