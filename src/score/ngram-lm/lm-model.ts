import type { Turn } from '../../../schemas/record.ts';
import {
  decodeTables,
  encodeTables,
  fieldTexts,
  hashString,
  type Table,
  type TextField,
  wordHashes,
} from '../features/index.ts';
import { BOS, EOS } from './kn-counts.ts';
import { type Floats, type LmTables, ngramTable, type Precision, sequenceLogProb } from './kn-tables.ts';
import { VocabIndex } from './vocab-index.ts';

/** One trained language model and the calibration of `lm_quality` on records it did not train on. */
export interface LmPart {
  vocab: VocabIndex;
  tables: LmTables;
  /** Median and quartile scale of ln(perplexity) over the calibration records. */
  median: number;
  scale: number;
  /** The highest perplexity among the calibration records: what an empty text gets. */
  maxPerplexity: number;
}

/**
 * What `fit` stores. One part, or two cross-fitted parts when trained on the job itself: part k was
 * trained on the sample records outside fold k and scores the records of fold k (`foldOf`), so no
 * record is scored by a model that memorised it, inside or outside the sample.
 */
export interface LmModel {
  field: TextField;
  parts: LmPart[];
}

/** A record's fold: bit 0 of `hashString(record hash)` with two parts, else 0. */
export function foldOf(hash: string, parts: number): number {
  return parts === 1 ? 0 : hashString(hash) & 1;
}

/** ln(perplexity) of a record's `field` text(s): -Σ ln p / (words + one </s> per text); null if no words. */
export function logPerplexity(part: LmPart, field: TextField, turns: readonly Turn[]): number | null {
  let lp = 0;
  let n = 0;
  let words = 0;
  for (const text of fieldTexts(turns, field)) {
    const ids = part.vocab.ids(wordHashes(text));
    lp += sequenceLogProb(part.tables, ids, BOS, EOS);
    n += ids.length + 1;
    words += ids.length;
  }
  return words > 0 ? -lp / n : null;
}

const KIND = 'winnow.ngram-lm';

export function encodeLm(m: LmModel): Uint8Array {
  const arrays: Record<string, Table> = {};
  m.parts.forEach((p, k) => {
    arrays[`${k}.vocab`] = p.vocab.hashes;
    arrays[`${k}.logp1`] = p.tables.logp1;
    arrays[`${k}.backoff1`] = p.tables.backoff1;
    p.tables.tables.forEach((t, i) => {
      arrays[`${k}.table${i + 2}`] = t.words;
    });
  });
  const meta = {
    field: m.field,
    order: m.parts[0].tables.order,
    precision: m.parts[0].tables.logp1 instanceof Float64Array ? 'float64' : 'float32',
    median: m.parts.map((p) => p.median),
    scale: m.parts.map((p) => p.scale),
    maxPerplexity: m.parts.map((p) => p.maxPerplexity),
  };
  return encodeTables(KIND, meta, arrays);
}

export function decodeLm(bytes: Uint8Array): LmModel {
  const { meta, arrays } = decodeTables(bytes, KIND);
  const order = meta.order as number;
  const median = meta.median as number[];
  const parts = median.map((_, k): LmPart => {
    const tables: LmTables = {
      order,
      logp1: arrays[`${k}.logp1`] as Floats,
      backoff1: arrays[`${k}.backoff1`] as Floats,
      tables: [],
    };
    for (let n = 2; n <= order; n++) {
      const words = arrays[`${k}.table${n}`] as Uint32Array;
      tables.tables.push(ngramTable(words, meta.precision as Precision, n < order));
    }
    return {
      vocab: new VocabIndex(arrays[`${k}.vocab`] as Uint32Array),
      tables,
      median: median[k],
      scale: (meta.scale as number[])[k],
      maxPerplexity: (meta.maxPerplexity as number[])[k],
    };
  });
  return { field: meta.field as TextField, parts };
}
