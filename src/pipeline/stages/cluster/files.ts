import {
  decodeCentroids,
  decodeGmmParams,
  encodeCentroids,
  encodeGmmParams,
} from '../../../cluster/index.ts';
import type { GmmParams } from '../../../cluster/types.ts';

/**
 * The parameters a cluster step leaves in R2 for the next: k-means centroids or a mixture, told
 * apart by the codec's magic bytes (src/cluster/codec.ts).
 */
export type ClusterParams =
  | { kind: 'kmeans'; k: number; dim: number; centroids: Float64Array }
  | ({ kind: 'gmm' } & GmmParams);

export function encodeParams(p: ClusterParams): Uint8Array {
  return p.kind === 'kmeans' ? encodeCentroids(p.centroids, p.k, p.dim) : encodeGmmParams(p);
}

export function decodeParams(bytes: Uint8Array): ClusterParams {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic === 'WCEN') return { kind: 'kmeans', ...decodeCentroids(bytes) };
  return { kind: 'gmm', ...decodeGmmParams(bytes) };
}

/** The centroids of any parameters: k-means centroids, or the mixture's means. */
export function centroidsOf(p: ClusterParams): Float64Array {
  return p.kind === 'kmeans' ? p.centroids : p.means;
}
