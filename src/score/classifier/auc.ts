/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative,
 * ties counting one half (Mann–Whitney U with mid-ranks; equals scikit-learn's `roc_auc_score`).
 * `labels[i]` is truthy for positives.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const n = scores.length;
  if (labels.length !== n)
    throw new RangeError(`scores and labels differ in length: ${n} vs ${labels.length}`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]]) {
        pos++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) {
    throw new RangeError(`AUC needs both classes, got ${pos} positive and ${neg} negative`);
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
