import type { Membership } from '../../src/sample/sampler.ts';

/**
 * Hard membership: `sizes` examples per component, in component order, each fully in its own; with
 * `density` (log density per example) and `spread` (per component) when a test needs them.
 */
export function hardMembership(sizes: number[], density?: number[], spread?: number[]): Membership {
  const label = Int32Array.from(sizes.flatMap((s, c) => new Array(s).fill(c)));
  return {
    n: label.length,
    k: sizes.length,
    label,
    width: 1,
    postComp: Int32Array.from(label),
    postP: new Float32Array(label.length).fill(1),
    ...(density ? { density: Float64Array.from(density) } : {}),
    ...(spread ? { spread } : {}),
  };
}
