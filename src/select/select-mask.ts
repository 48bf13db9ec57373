import type { Cut } from './topk.ts';

/** 1 = selected; a negative value (no candidate) never is. Values equal to the threshold use `tieQuota[shard]`, earliest local positions first. */
export function selectMask(values: Float64Array, cut: Cut, shard: number): Uint8Array {
  const { threshold, strict, tieQuota } = cut;
  if (tieQuota && !(Number.isInteger(shard) && shard >= 0 && shard < tieQuota.length)) {
    throw new RangeError(`shard must be an integer in [0, ${tieQuota.length - 1}], got ${shard}`);
  }
  let quota = tieQuota ? tieQuota[shard] : 0;
  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0) continue; // -1: no candidate, whatever the cut
    if (v > threshold) mask[i] = 1;
    else if (v === threshold) {
      if (!tieQuota) mask[i] = strict ? 0 : 1;
      else if (quota > 0) {
        mask[i] = 1;
        quota--;
      }
    }
  }
  return mask;
}
