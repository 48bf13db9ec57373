import { toJsonl } from '../../jsonl.ts';
import { outputPartKey, shardKey } from '../../keys.ts';
import { type BlobStore, requireText } from '../../store.ts';
import type { JobSpec } from '../../types.ts';
import { weightScore } from './export.ts';

export interface WeightsResult {
  /** The score the weights come from, the scale solved, and the weights' mean, min and max over the selection. */
  score: string;
  scale: number;
  mean: number;
  min: number;
  max: number;
  /** Selected records whose score was missing (they get weight 1). */
  missing: number;
  bytes: number;
  /** Bytes of each part of weights.jsonl (one per shard). */
  partBytes: number[];
}

/**
 * `weights.jsonl`, one task: every selected record's `clip(scale · score, min, max)`, with `scale`
 * solved (bisection; the clipped mean is monotone in it) so the weights average 1 over the selection.
 * When the range cannot average 1 (every score 0, say) the closest mean is kept and reported.
 */
export async function writeWeights(store: BlobStore, spec: JobSpec, shards: number): Promise<WeightsResult> {
  const parts: [string, unknown, number | null][][] = [];
  for (let s = 0; s < shards; s++)
    parts.push(JSON.parse(await requireText(store, shardKey(spec.id, s, 'weights-src.json'))));
  const values = parts.flatMap((p) => p.flatMap(([, , v]) => (v !== null && v >= 0 ? [v] : [])));
  const { min, max } = spec.recipe.select.weights;
  const scale = solveScale(values, min, max);
  const weight = (v: number | null) => (v !== null && v >= 0 ? clip(scale * v, min, max) : 1);
  const partBytes: number[] = [];
  let sum = 0;
  let n = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let missing = 0;
  for (let s = 0; s < shards; s++) {
    const lines = parts[s].map(([id, source, v]) => {
      const w = weight(v);
      sum += w;
      n++;
      lo = Math.min(lo, w);
      hi = Math.max(hi, w);
      if (v === null || v < 0) missing++;
      return { id, source, weight: Number(w.toPrecision(6)) };
    });
    const data = new TextEncoder().encode(toJsonl(lines));
    partBytes.push(data.byteLength);
    await store.put(outputPartKey(spec.id, 'weights.jsonl', s), data);
  }
  return {
    score: weightScore(spec),
    scale,
    mean: n > 0 ? sum / n : 1,
    min: n > 0 ? lo : 1,
    max: n > 0 ? hi : 1,
    missing,
    bytes: partBytes.reduce((a, b) => a + b, 0),
    partBytes,
  };
}

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The scale c with mean(clip(c·v, lo, hi)) = 1 (values ≥ 0; lo ≤ 1 ≤ hi). */
export function solveScale(values: readonly number[], lo: number, hi: number): number {
  if (values.length === 0) return 1;
  const mean = (c: number) => values.reduce((a, v) => a + clip(c * v, lo, hi), 0) / values.length;
  const total = values.reduce((a, v) => a + v, 0);
  if (total === 0) return 1;
  let a = 0;
  let b = values.length / total; // at this scale the unclipped mean is 1, so the clipped one is ≤ 1 … or ≥
  while (mean(b) < 1 && b < 1e12) b *= 2;
  if (mean(b) < 1) return b;
  for (let i = 0; i < 100; i++) {
    const m = (a + b) / 2;
    if (mean(m) < 1) a = m;
    else b = m;
  }
  return (a + b) / 2;
}
