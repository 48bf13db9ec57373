import { estimateJaccard, MINHASH_DEFAULTS, minhashSignature } from '../select/dedup/minhash.ts';
import { exactNormal, nearNormal } from '../select/dedup/normalize.ts';

/** What dedup decided for one text: kept, or a duplicate of an earlier one (its index, the estimate). */
export type DedupVerdict =
  | { kept: true }
  | { kept: false; kind: 'duplicate' | 'near_duplicate'; of: number; jaccard: number };

/**
 * Near-duplicate removal in order, as the select stage's dedup does it: exact duplicates after
 * normalization, then MinHash LSH (character 5-gram shingles, 16 bands of 4 rows) for candidates,
 * verified on the 32-byte sketch. A text is a near duplicate when an earlier kept text's estimated
 * Jaccard similarity is at least `threshold`. The first of a group is kept.
 */
export function dedupInOrder(texts: readonly string[], threshold: number): DedupVerdict[] {
  const exact = new Map<string, number>();
  const buckets = new Map<string, number[]>();
  const sketches: Uint8Array[] = [];
  const out: DedupVerdict[] = [];
  const p = MINHASH_DEFAULTS;
  for (let i = 0; i < texts.length; i++) {
    const norm = exactNormal(texts[i]);
    const same = exact.get(norm);
    const sig = minhashSignature(nearNormal(texts[i]), p);
    sketches.push(sig.sketch);
    if (same !== undefined) {
      out.push({ kept: false, kind: 'duplicate', of: same, jaccard: 1 });
      continue;
    }
    let best: { of: number; jaccard: number } | null = null;
    const keys: string[] = [];
    for (let b = 0; b < p.bands; b++) {
      const key = `${b}:${sig.bands[2 * b]}:${sig.bands[2 * b + 1]}`;
      keys.push(key);
      for (const j of buckets.get(key) ?? []) {
        const jac = estimateJaccard(sig.sketch, sketches[j]);
        if (jac >= threshold && (!best || jac > best.jaccard)) best = { of: j, jaccard: jac };
      }
    }
    if (best) {
      out.push({ kept: false, kind: 'near_duplicate', ...best });
      continue;
    }
    exact.set(norm, i);
    for (const key of keys) {
      const list = buckets.get(key);
      if (list) list.push(i);
      else buckets.set(key, [i]);
    }
    out.push({ kept: true });
  }
  return out;
}
