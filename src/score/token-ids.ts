/** Dense ids for tokens (0, 1, … in order of first appearance) and how many distinct there are. */
export function tokenIds(tokens: readonly string[]): { ids: Int32Array; distinct: number } {
  const index = new Map<string, number>();
  const ids = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    let id = index.get(tokens[i]);
    if (id === undefined) {
      id = index.size;
      index.set(tokens[i], id);
    }
    ids[i] = id;
  }
  return { ids, distinct: index.size };
}
