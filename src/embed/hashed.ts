import { z } from 'zod';
import { WinnowError } from '../errors.ts';
import { decodeTables, encodeTables, fieldTexts } from '../score/features/index.ts';
import type { ScoreInput } from '../score/types.ts';
import { addFeatures, sublinear } from './hashed-features.ts';
import type { Embedder } from './types.ts';

export const HashedConfigSchema = z.strictObject({
  /** Buckets, i.e. the vector length. */
  dim: z
    .number()
    .int('dim must be an integer')
    .min(64, 'dim must be in [64, 1024]')
    .max(1024, 'dim must be in [64, 1024]')
    .default(256),
  /** Which text: the user turns, the assistant turns, or both (features of each, summed). */
  field: z.enum(['both', 'instruction', 'answer']).default('both'),
  /** Character n-gram orders [min, max] inside each word, or `false` for words only. */
  charNgrams: z
    .union([
      z.literal(false),
      z
        .tuple([z.number().int().min(1).max(8), z.number().int().min(1).max(8)])
        .refine(([lo, hi]) => lo <= hi, 'charNgrams is [min, max] with min ≤ max'),
    ])
    .default([3, 5]),
  /** Changes every feature hash. */
  seed: z.number().int().default(0),
});
export type HashedConfig = z.infer<typeof HashedConfigSchema>;

/** Document frequencies per bucket over `docs` records. */
export interface HashedPartial {
  docs: number;
  df: Uint32Array;
}

/** The idf weight of each bucket. */
export type HashedModel = Float32Array;

const PARTIAL_KIND = 'hashed-embed-df';
const MODEL_KIND = 'hashed-embed-idf';

/** Signed hashed counts of one record's text into `acc` (zeroed first). */
function countRecord(r: ScoreInput, c: HashedConfig, acc: Float64Array): void {
  acc.fill(0);
  for (const text of fieldTexts(r.turns, c.field)) addFeatures(text, acc, c);
}

/** smooth-idf (scikit-learn's): ln((1 + N) / (1 + df)) + 1 per bucket. */
export function idfOf({ docs, df }: HashedPartial): Float32Array {
  return Float32Array.from(df, (d) => Math.log((1 + docs) / (1 + d)) + 1);
}

/**
 * TF-IDF over hashed word unigrams, bigrams and in-word character n-grams (see `addFeatures`):
 * bucket weight = sublinear(signed count) · idf, then the row is L2-normalized (an empty text gives
 * a zero row). Document frequencies are per hashed bucket (a record counts for a bucket when its
 * signed count there is nonzero), gathered over every shard by `prepare`; without a model every idf
 * is 1. Deterministic: the same text, config and model give the same bits on every runtime.
 */
export const hashedEmbedder: Embedder<HashedConfig, HashedPartial, HashedModel> = {
  id: 'hashed',
  version: 1,
  kind: 'offline',
  description:
    'TF-IDF of hashed word 1-2-grams and character 3-5-grams (signed feature hashing), L2-normalized; no model needed',
  config: HashedConfigSchema,
  dim: (c) => c.dim,
  prepare: {
    partial(records, c) {
      const acc = new Float64Array(c.dim);
      const df = new Uint32Array(c.dim);
      for (const r of records) {
        countRecord(r, c, acc);
        for (let b = 0; b < c.dim; b++) if (acc[b] !== 0) df[b]++;
      }
      return { docs: records.length, df };
    },
    merge(a, b) {
      if (a.df.length !== b.df.length) {
        throw new RangeError(
          `cannot merge document frequencies of ${a.df.length} and ${b.df.length} buckets`,
        );
      }
      return { docs: a.docs + b.docs, df: a.df.map((d, i) => d + b.df[i]) };
    },
    finalize: (total) => idfOf(total),
    encodePartial: (p) => encodeTables(PARTIAL_KIND, { docs: p.docs }, { df: p.df }),
    decodePartial(bytes) {
      const { meta, arrays } = decodeTables(bytes, PARTIAL_KIND);
      return { docs: meta.docs as number, df: arrays.df as Uint32Array };
    },
    encodeModel: (m) => encodeTables(MODEL_KIND, {}, { idf: m }),
    decodeModel: (bytes) => decodeTables(bytes, MODEL_KIND).arrays.idf as Float32Array,
  },
  embed(records, c, { model }) {
    const { dim } = c;
    if (model && model.length !== dim) {
      throw new WinnowError('dim_mismatch', {
        detail: `embedder "hashed": the idf model has ${model.length} buckets, but config.dim is ${dim}`,
      });
    }
    const out = new Float32Array(records.length * dim);
    const acc = new Float64Array(dim);
    for (let i = 0; i < records.length; i++) {
      countRecord(records[i], c, acc);
      let ss = 0;
      for (let b = 0; b < dim; b++) {
        const w = acc[b] === 0 ? 0 : sublinear(acc[b]) * (model ? model[b] : 1);
        acc[b] = w;
        ss += w * w;
      }
      const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
      for (let b = 0; b < dim; b++) out[i * dim + b] = acc[b] * inv;
    }
    return out;
  },
};
