import { z } from 'zod';
import { WinnowError } from '../errors.ts';
import {
  combineHash,
  decodeTables,
  encodeTables,
  fieldTexts,
  type TextField,
  wordHashes,
} from '../score/features/index.ts';
import type { ScoreInput } from '../score/types.ts';
import { type Csr, truncatedSvd } from './svd.ts';
import type { Embedder } from './types.ts';

export const TfidfConfigSchema = z.strictObject({
  /** The vector length: components of the truncated SVD (latent semantic analysis). */
  dim: z
    .number()
    .int('dim must be an integer')
    .min(2, 'dim must be in [2, 512]')
    .max(512, 'dim must be in [2, 512]')
    .default(128),
  /** Which text: the user turns, the assistant turns, or both (features of each, summed). */
  field: z.enum(['both', 'instruction', 'answer']).default('both'),
  /** Word bigrams besides words (in text without spaces, such as Chinese, each character is a word). */
  bigrams: z.boolean().default(true),
  /** The most features kept, by document frequency in the fit sample. */
  vocabulary: z
    .number()
    .int()
    .min(64, 'vocabulary must be in [64, 131072]')
    .max(131072, 'vocabulary must be in [64, 131072]')
    .default(16384),
  /** Features in fewer sample records than this are dropped (1, scikit-learn's default: none; `vocabulary` still caps). */
  minDf: z.number().int().min(1).default(1),
  /** Features in more than this share of the sample's records are dropped (1: none). */
  maxDf: z.number().gt(0).max(1).default(1),
  /** Sample records the SVD is fitted on (the document frequencies use the whole fit sample). */
  svdRecords: z.number().int().min(100).max(100000).default(5000),
  /** Changes the feature hashes and the SVD's random sketch. */
  seed: z.number().int().default(0),
});
export type TfidfConfig = z.infer<typeof TfidfConfigSchema>;

/** What the fit learns from the sample: the vocabulary, its idf weights and the SVD's loadings. */
export interface TfidfModel {
  /** Feature hashes, sorted ascending. */
  vocab: Uint32Array;
  /** idf of each vocabulary feature. */
  idf: Float32Array;
  /** `vocab.length × dim` row-major: feature j's loading on each component. */
  components: Float32Array;
  dim: number;
  /** Open-addressing table from a feature hash to its vocabulary index + 1 (0: empty); built on decode. */
  table?: Int32Array;
}

const MODEL_KIND = 'tfidf-lsa';

/** Scratch for one record's feature hashes, grown as needed (one record at a time per isolate). */
let scratch = new Uint32Array(4096);

/** Every feature hash of a record, unsorted, in `scratch`; returns how many. */
function gather(r: ScoreInput, c: Pick<TfidfConfig, 'field' | 'bigrams' | 'seed'>): number {
  let total = 0;
  for (const text of fieldTexts(r.turns, c.field as TextField)) {
    const ws = wordHashes(text, c.seed);
    const need = total + 2 * ws.length;
    if (scratch.length < need) {
      const grown = new Uint32Array(Math.max(need, scratch.length * 2));
      grown.set(scratch.subarray(0, total));
      scratch = grown;
    }
    scratch.set(ws, total);
    total += ws.length;
    if (c.bigrams) for (let i = 1; i < ws.length; i++) scratch[total++] = combineHash(ws[i - 1], ws[i]);
  }
  return total;
}

/**
 * One record's features as (hash, count) pairs sorted by hash: every word (`wordHashes`), and with
 * `bigrams` every pair of adjacent words within one text.
 */
export function recordFeatures(
  r: ScoreInput,
  c: Pick<TfidfConfig, 'field' | 'bigrams' | 'seed'>,
): { hash: Uint32Array; count: Uint32Array } {
  const total = gather(r, c);
  const hash = new Uint32Array(total);
  const count = new Uint32Array(total);
  let m = 0;
  eachFeature(total, (h, n) => {
    hash[m] = h;
    count[m++] = n;
  });
  return { hash: hash.subarray(0, m), count: count.subarray(0, m) };
}

/** Each distinct feature among the first `total` hashes of `scratch` (sorted in place), with its count, by hash. */
function eachFeature(total: number, visit: (hash: number, count: number) => void): void {
  const all = scratch.subarray(0, total).sort();
  for (let i = 0; i < total; ) {
    const h = all[i];
    let n = 0;
    while (i < total && all[i] === h) {
      i++;
      n++;
    }
    visit(h, n);
  }
}

function buildTable(vocab: Uint32Array): Int32Array {
  let size = 1;
  while (size < vocab.length * 2) size <<= 1;
  const table = new Int32Array(size);
  const mask = size - 1;
  for (let j = 0; j < vocab.length; j++) {
    let s = vocab[j] & mask;
    while (table[s] !== 0) s = (s + 1) & mask;
    table[s] = j + 1;
  }
  return table;
}

/** The vocabulary index of feature hash `h`, or -1. */
function lookup(m: TfidfModel, h: number): number {
  const table = (m.table ??= buildTable(m.vocab));
  const mask = table.length - 1;
  for (let s = h & mask; ; s = (s + 1) & mask) {
    const j = table[s];
    if (j === 0) return -1;
    if (m.vocab[j - 1] === h) return j - 1;
  }
}

let rowIndex = new Int32Array(4096);
let rowValue = new Float64Array(4096);

/**
 * A record's TF-IDF row over the vocabulary: sublinear tf (1 + ln count) × idf, L2-normalized (as
 * scikit-learn's TfidfVectorizer with sublinear_tf=True), into `rowIndex`/`rowValue`; returns its
 * length (features outside the vocabulary are dropped).
 */
function tfidfRow(r: ScoreInput, c: TfidfConfig, m: TfidfModel): number {
  const total = gather(r, c);
  if (rowIndex.length < total) {
    rowIndex = new Int32Array(total * 2);
    rowValue = new Float64Array(total * 2);
  }
  let n = 0;
  let ss = 0;
  eachFeature(total, (h, count) => {
    const j = lookup(m, h);
    if (j < 0) return;
    const w = (1 + Math.log(count)) * m.idf[j];
    rowIndex[n] = j;
    rowValue[n++] = w;
    ss += w * w;
  });
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let p = 0; p < n; p++) rowValue[p] *= inv;
  return n;
}

/** The TF-IDF rows of `records` over the model's vocabulary, as a sparse matrix. */
export function tfidfMatrix(records: readonly ScoreInput[], c: TfidfConfig, model: TfidfModel): Csr {
  const ptr = new Uint32Array(records.length + 1);
  const index: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const n = tfidfRow(records[i], c, model);
    for (let p = 0; p < n; p++) {
      index.push(rowIndex[p]);
      value.push(rowValue[p]);
    }
    ptr[i + 1] = ptr[i] + n;
  }
  return {
    rows: records.length,
    cols: model.vocab.length,
    ptr,
    index: Uint32Array.from(index),
    value: Float32Array.from(value),
  };
}

/** Fit the vocabulary, idf and SVD on a sample of records. */
export function fitTfidf(sample: readonly ScoreInput[], c: TfidfConfig): TfidfModel {
  const n = sample.length;
  const df = new Map<number, number>();
  for (const r of sample) for (const h of recordFeatures(r, c).hash) df.set(h, (df.get(h) ?? 0) + 1);
  const maxDocs = c.maxDf * n;
  const kept: [number, number][] = [];
  for (const [h, d] of df) if (d >= c.minDf && d <= maxDocs) kept.push([h, d]);
  kept.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  kept.length = Math.min(kept.length, c.vocabulary);
  kept.sort((a, b) => a[0] - b[0]);
  const vocab = Uint32Array.from(kept, ([h]) => h);
  // Smooth idf (scikit-learn's default): ln((1 + n) / (1 + df)) + 1.
  const idf = Float32Array.from(kept, ([, d]) => Math.log((1 + n) / (1 + d)) + 1);
  const model: TfidfModel = { vocab, idf, components: new Float32Array(0), dim: c.dim };
  // The SVD's rows: the first svdRecords of the sample (already a hash-uniform draw).
  const x = tfidfMatrix(sample.slice(0, c.svdRecords), c, model);
  const svd = truncatedSvd(x, c.dim, { seed: c.seed });
  model.components = svd.components;
  return model;
}

/** One record's vector: its TF-IDF row times the loadings, L2-normalized (zero when nothing matched). */
function embedOne(
  r: ScoreInput,
  c: TfidfConfig,
  m: TfidfModel,
  out: Float32Array,
  at: number,
  acc: Float64Array,
): void {
  const n = tfidfRow(r, c, m);
  const { dim, components } = m;
  acc.fill(0);
  for (let p = 0; p < n; p++) {
    const v = rowValue[p];
    const o = rowIndex[p] * dim;
    for (let k = 0; k < dim; k++) acc[k] += v * components[o + k];
  }
  let ss = 0;
  for (let k = 0; k < dim; k++) ss += acc[k] * acc[k];
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let k = 0; k < dim; k++) out[at + k] = acc[k] * inv;
}

/**
 * Latent semantic analysis, fitted on the dataset: TF-IDF (sublinear tf, smooth idf, L2) over hashed
 * words and word bigrams, then the truncated SVD's `dim` components, L2-normalized. The fit stage
 * learns the vocabulary, idf and components from the job's hash-uniform fit sample, once per dataset
 * and config (reused by later jobs, so re-runs and appended parts embed the same way).
 */
export const tfidfEmbedder: Embedder<TfidfConfig, never, TfidfModel> = {
  id: 'tfidf',
  version: 2,
  kind: 'offline',
  description:
    'TF-IDF of words and word bigrams reduced by a truncated SVD (LSA), fitted on the dataset; no model endpoint',
  config: TfidfConfigSchema,
  dim: (c) => c.dim,
  fitted: {
    fit(sample, c) {
      const model = fitTfidf(sample, c);
      return {
        model,
        summary: { records: sample.length, vocabulary: model.vocab.length, dim: c.dim },
      };
    },
    encodeModel: (m) =>
      encodeTables(MODEL_KIND, { dim: m.dim }, { vocab: m.vocab, idf: m.idf, components: m.components }),
    decodeModel(bytes) {
      const { meta, arrays } = decodeTables(bytes, MODEL_KIND);
      return {
        dim: meta.dim as number,
        vocab: arrays.vocab as Uint32Array,
        idf: arrays.idf as Float32Array,
        components: arrays.components as Float32Array,
      };
    },
  },
  embed(records, c, { model }) {
    if (!model) {
      throw new WinnowError('internal', {
        detail: 'embedder "tfidf" needs its fitted model (the fit stage learns it from the data)',
      });
    }
    if (model.dim !== c.dim) {
      throw new WinnowError('dim_mismatch', {
        detail: `embedder "tfidf": the fitted model has ${model.dim} components, but config.dim is ${c.dim}`,
      });
    }
    const out = new Float32Array(records.length * c.dim);
    const acc = new Float64Array(c.dim);
    for (let i = 0; i < records.length; i++) embedOne(records[i], c, model, out, i * c.dim, acc);
    return out;
  },
};
