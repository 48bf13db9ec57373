import type { InvalidLine } from '../../schemas/output.ts';
import type { StoredRecord } from '../../schemas/record.ts';
import { fromJsonl } from '../../src/pipeline/jsonl.ts';
import { shardKey } from '../../src/pipeline/keys.ts';
import type { MemoryStore } from '../../src/pipeline/memory-store.ts';
import type { ShardInfo } from '../../src/pipeline/types.ts';

/**
 * A finished one-object job's shards as the coordinator's table has them (for `readShardRecords`),
 * rebuilt from what ingest stored: each shard's records, valid or invalid, follow the shards before it.
 */
export function storedShardInfos(store: MemoryStore, job: string): ShardInfo[] {
  const text = (s: number, file: 'records.jsonl' | 'invalid.jsonl') => {
    const bytes = store.objects.get(shardKey(job, s, file));
    return bytes ? new TextDecoder().decode(bytes) : null;
  };
  const out: ShardInfo[] = [];
  let index = 0;
  for (let s = 0; ; s++) {
    const records = text(s, 'records.jsonl');
    if (records === null) return out;
    const locals = new Set(fromJsonl<StoredRecord>(records).map((r) => r.local));
    for (const l of fromJsonl<InvalidLine>(text(s, 'invalid.jsonl') ?? '')) locals.add(l.source.index ?? -1);
    out.push({
      shard: s,
      range: { part: 0, container: 'jsonl', start: 0, end: 0 },
      indexOffset: index,
      partIndex: index,
      lineOffset: 0,
      multipart: false,
    });
    index += locals.size;
  }
}
