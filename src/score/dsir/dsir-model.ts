import type { Turn } from '../../../schemas/record.ts';
import {
  decodeTables,
  encodeTables,
  fieldTexts,
  hashedNgrams,
  type RobustScale,
  type TextField,
  wordHashes,
} from '../features/index.ts';
import type { ScoreInput } from '../types.ts';

/** What DSIR's fit stores: per-bucket log ratios and where the raw sample's weights sit. */
export interface DsirModel extends RobustScale {
  field: TextField;
  orders: number[];
  normalize: 'sum' | 'mean';
  /** ln p_target(b) - ln p_raw(b) per bucket. */
  logRatio: Float64Array;
}

/** Bucket ids of a record's hashed word n-grams over its `field` text(s), joined by a blank line. */
export function recordBuckets(turns: readonly Turn[], field: TextField, orders: number[], buckets: number) {
  return hashedNgrams(wordHashes(fieldTexts(turns, field).join('\n\n')), { buckets, orders });
}

/** Counts per bucket summed over records: the bag-of-n-grams of a dataset. */
export function bucketCounts(
  records: readonly ScoreInput[],
  field: TextField,
  orders: number[],
  buckets: number,
) {
  const counts = new Float64Array(buckets);
  for (const r of records) for (const b of recordBuckets(r.turns, field, orders, buckets)) counts[b]++;
  return counts;
}

/**
 * ln p_target(b) - ln p_raw(b), each a multinomial over buckets with additive smoothing α:
 * p(b) = (count(b) + α) / (Σ count + α · buckets).
 */
export function logRatios(target: Float64Array, raw: Float64Array, alpha: number): Float64Array {
  const b = target.length;
  let nt = 0;
  let nr = 0;
  for (let i = 0; i < b; i++) {
    nt += target[i];
    nr += raw[i];
  }
  const out = new Float64Array(b);
  const zt = Math.log(nt + alpha * b);
  const zr = Math.log(nr + alpha * b);
  for (let i = 0; i < b; i++) out[i] = Math.log(target[i] + alpha) - zt - (Math.log(raw[i] + alpha) - zr);
  return out;
}

/** Σ over the record's n-gram occurrences of the bucket log ratio (÷ their number for `mean`); null if none. */
export function logWeight(m: DsirModel, turns: readonly Turn[]): number | null {
  const ids = recordBuckets(turns, m.field, m.orders, m.logRatio.length);
  if (ids.length === 0) return null;
  let s = 0;
  for (let i = 0; i < ids.length; i++) s += m.logRatio[ids[i]];
  return m.normalize === 'mean' ? s / ids.length : s;
}

const KIND = 'winnow.dsir';

export function encodeDsir(m: DsirModel): Uint8Array {
  const { field, orders, normalize, median, scale } = m;
  return encodeTables(KIND, { field, orders, normalize, median, scale }, { logRatio: m.logRatio });
}

export function decodeDsir(bytes: Uint8Array): DsirModel {
  const { meta, arrays } = decodeTables(bytes, KIND);
  return {
    field: meta.field as TextField,
    orders: meta.orders as number[],
    normalize: meta.normalize as 'sum' | 'mean',
    median: meta.median as number,
    scale: meta.scale as number,
    logRatio: arrays.logRatio as Float64Array,
  };
}
