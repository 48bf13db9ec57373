import { WinnowError } from '../../errors.ts';
import { getScorer } from '../registry.ts';
import type { FitInput, ScoreInput, Scorer } from '../types.ts';

/** Standardized scores are clipped to ±CLIP standard deviations. */
const CLIP = 5;

/**
 * The offline scores a classifier reads besides the text: each scorer run with its default config
 * (the learning ones with a model fitted on the job's own sample, kept inside the classifier's model),
 * every output standardized by the training examples' mean and standard deviation.
 */
export interface NumericFeatures {
  scorers: string[];
  /** Output names in feature order (`length`, `diversity`, `repetition`, …). */
  names: string[];
  mean: Float32Array;
  std: Float32Array;
  /** Each scorer's encoded model (learning scorers), or an empty array. */
  bytes: Uint8Array[];
  /** Decoded, for scoring. */
  models: unknown[];
}

/** The registered scorer `id`, or an `unknown_scorer` error located at `path` of the classifier's config. */
export function scorerAt(id: string, path: string): Scorer {
  try {
    return getScorer(id);
  } catch (e) {
    throw new WinnowError('unknown_scorer', { path, detail: e instanceof Error ? e.message : String(e) });
  }
}

function offlineScorer(id: string, at: number): Scorer {
  const s = scorerAt(id, `classifier.config.features.scores[${at}]`);
  if (s.kind !== 'offline' || s.id === 'classifier') {
    throw new WinnowError('validation_failed', {
      path: `classifier.config.features.scores[${at}]`,
      detail: `"${id}" cannot be a classifier feature: only offline scorers other than the classifier can`,
    });
  }
  return s;
}

/** Fit the learning ones among `ids` on the job's own sample; names and models, no statistics yet. */
export async function fitNumeric(input: FitInput, ids: readonly string[]): Promise<NumericFeatures> {
  const names: string[] = [];
  const bytes: Uint8Array[] = [];
  const models: unknown[] = [];
  for (const [at, id] of ids.entries()) {
    const s = offlineScorer(id, at);
    names.push(...s.outputs);
    if (s.fit) {
      const { model } = await s.fit({ ...input, references: {} }, s.config.parse({}));
      bytes.push(s.encodeModel ? s.encodeModel(model) : new TextEncoder().encode(JSON.stringify(model)));
      models.push(model);
    } else {
      bytes.push(new Uint8Array(0));
      models.push(undefined);
    }
  }
  const d = names.length;
  return {
    scorers: [...ids],
    names,
    mean: new Float32Array(d),
    std: new Float32Array(d).fill(1),
    bytes,
    models,
  };
}

/** The models of `f.scorers` decoded from `f.bytes`. */
export function decodeNumericModels(scorers: readonly string[], bytes: readonly Uint8Array[]): unknown[] {
  return scorers.map((id, i) => {
    const s = getScorer(id);
    if (!s.fit || bytes[i].length === 0) return undefined;
    return s.decodeModel ? s.decodeModel(bytes[i]) : JSON.parse(new TextDecoder().decode(bytes[i]));
  });
}

/** The raw outputs of every feature scorer for `records`: `records.length × names.length`, NaN where absent. */
export async function numericRows(records: ScoreInput[], f: NumericFeatures): Promise<Float64Array> {
  const d = f.names.length;
  const out = new Float64Array(records.length * d).fill(Number.NaN);
  let col = 0;
  for (const [i, id] of f.scorers.entries()) {
    const s = getScorer(id);
    const rows = await s.score(records, s.config.parse({}), { seed: 0, model: f.models[i] });
    for (const [c, name] of s.outputs.entries()) {
      for (let r = 0; r < records.length; r++) {
        const v = rows[r]?.scores[name];
        if (typeof v === 'number' && Number.isFinite(v)) out[r * d + col + c] = v;
      }
    }
    col += s.outputs.length;
  }
  return out;
}

/** Set `f.mean`/`f.std` from the rows of the training examples (a constant column gets std 1). */
export function standardizeFrom(rows: Float64Array, n: number, f: NumericFeatures): void {
  const d = f.names.length;
  for (let c = 0; c < d; c++) {
    let sum = 0;
    let count = 0;
    for (let r = 0; r < n; r++) {
      const v = rows[r * d + c];
      if (!Number.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    const mean = count > 0 ? sum / count : 0;
    let ss = 0;
    for (let r = 0; r < n; r++) {
      const v = rows[r * d + c];
      if (!Number.isNaN(v)) ss += (v - mean) ** 2;
    }
    const std = count > 1 ? Math.sqrt(ss / (count - 1)) : 0;
    f.mean[c] = mean;
    f.std[c] = std > 1e-12 ? std : 1;
  }
}

/** Row r's standardized value of feature c: (x − mean)/std clipped to ±5; 0 (the mean) when absent. */
export function standardized(rows: Float64Array, r: number, c: number, f: NumericFeatures): number {
  const v = rows[r * f.names.length + c];
  if (Number.isNaN(v)) return 0;
  const z = (v - f.mean[c]) / f.std[c];
  return Math.min(CLIP, Math.max(-CLIP, z));
}
