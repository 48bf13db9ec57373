import { decodeTables, encodeTables } from '../../score/features/index.ts';
import type { EstimateModel, SampleSet } from './estimate.ts';

/**
 * Bytes for R2: the fitted estimator and the sample it reads, each in the binary table container of
 * src/score/features/model-bytes.ts (a JSON header, then the typed arrays; decoding makes views).
 */
const MODEL_KIND = 'incontext-estimate';
const SAMPLE_KIND = 'incontext-sample';

export function encodeEstimateModel(m: EstimateModel): Uint8Array {
  const { k, dim, f, neighbours, neighbourPrior, scope } = m;
  return encodeTables(
    MODEL_KIND,
    { k, dim, f, neighbours, neighbourPrior, scope, intercept: m.linear.intercept },
    {
      mean: m.linear.mean,
      scale: m.linear.scale,
      weights: m.linear.weights,
      offset: m.offset,
      residual: m.residual,
      order: m.order,
      start: m.start,
    },
  );
}

export function decodeEstimateModel(bytes: Uint8Array): EstimateModel {
  const { meta, arrays } = decodeTables(bytes, MODEL_KIND);
  const f64 = (name: string) => arrays[name] as Float64Array;
  const i32 = (name: string) => arrays[name] as Int32Array;
  return {
    k: meta.k as number,
    dim: meta.dim as number,
    f: meta.f as number,
    linear: {
      mean: f64('mean'),
      scale: f64('scale'),
      weights: f64('weights'),
      intercept: meta.intercept as number,
    },
    offset: f64('offset'),
    residual: f64('residual'),
    order: i32('order'),
    start: i32('start'),
    neighbours: meta.neighbours as number,
    neighbourPrior: meta.neighbourPrior as number,
    scope: meta.scope as EstimateModel['scope'],
  };
}

export function encodeSampleSet(s: SampleSet): Uint8Array {
  const f = s.f ?? 0;
  const arrays = { vecs: s.vecs, scores: s.scores, cluster: s.cluster };
  return encodeTables(
    SAMPLE_KIND,
    { dim: s.dim, f },
    f > 0 && s.features ? { ...arrays, features: s.features } : arrays,
  );
}

export function decodeSampleSet(bytes: Uint8Array): SampleSet {
  const { meta, arrays } = decodeTables(bytes, SAMPLE_KIND);
  const s: SampleSet = {
    dim: meta.dim as number,
    vecs: arrays.vecs as Float32Array,
    scores: arrays.scores as Float64Array,
    cluster: arrays.cluster as Int32Array,
  };
  if ((meta.f as number) > 0) {
    s.f = meta.f as number;
    s.features = arrays.features as Float64Array;
  }
  return s;
}
