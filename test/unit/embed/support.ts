import type { ScoreInput } from '../../../src/score/types.ts';

/** A record with one user turn and one assistant turn. */
export function rec(instruction: string, answer: string, id = instruction): ScoreInput {
  return {
    id,
    hash: id,
    turns: [
      { role: 'user', content: instruction },
      { role: 'assistant', content: answer },
    ],
  };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

export const row = (data: Float32Array, dim: number, i: number) => data.subarray(i * dim, (i + 1) * dim);
