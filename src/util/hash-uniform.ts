/** Uniform in [0, 1) from a hex content hash: a record is sampled, or not, the same way in every job. */
export function hashUniform(hash: string): number {
  return Number.parseInt(hash.slice(0, 12), 16) / 2 ** 48;
}
