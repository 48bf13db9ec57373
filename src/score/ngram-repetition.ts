/**
 * Fraction of the word n-grams that repeat an earlier one: (total - distinct) / total.
 * 0 = no n-gram occurs twice; fewer than n tokens → 0.
 */
export function ngramRepetition(tokens: readonly string[], n = 3): number {
  const total = tokens.length - n + 1;
  if (total <= 0) return 0;
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) seen.add(tokens.slice(i, i + n).join('\u0000'));
  return (total - seen.size) / total;
}
