/** JSONL helpers for shard files: whole-shard strings are fine (a shard is a few MB). */
export function toJsonl(rows: readonly unknown[]): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}

export function fromJsonl<T>(text: string | null): T[] {
  if (!text) return [];
  const rows: T[] = [];
  for (const line of text.split('\n')) if (line.length > 0) rows.push(JSON.parse(line) as T);
  return rows;
}
