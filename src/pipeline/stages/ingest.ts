import type { InvalidLine } from '../../../schemas/output.ts';
import type { ShardRecord } from '../../../schemas/record.ts';
import { contentHash, normalizeRecord, readShard, recordId } from '../../formats/index.ts';
import { normalizePairRecord } from '../../pairs/normalize.ts';
import { toJsonl } from '../jsonl.ts';
import { shardKey } from '../keys.ts';
import { storeSource } from '../range-source.ts';
import type { JobSpec, ShardInfo } from '../spec.ts';
import type { BlobStore } from '../store.ts';

export interface IngestTally {
  records: number;
  valid: number;
  invalid: number;
  lines: number;
}

const RAW_LIMIT = 4096;

/**
 * Parse one shard's byte range into normalized records. Invalid records go to the shard's
 * invalid file with their shard-local position; export turns that into the global one.
 */
export async function ingest(store: BlobStore, spec: JobSpec, info: ShardInfo): Promise<IngestTally> {
  const { range } = info;
  const object = spec.objects[range.part];
  const valid: ShardRecord[] = [];
  const invalid: InvalidLine[] = [];
  const it = readShard(storeSource(store, object), range);
  let next = await it.next();
  while (!next.done) {
    const item = next.value;
    const source = { index: item.local, ...(item.localLine === undefined ? {} : { line: item.localLine }) };
    if ('oversize' in item) {
      invalid.push({
        source,
        error: { code: 'record_too_large', message: `record is ${item.bytes} bytes, over the 8 MiB limit` },
        raw: item.head,
      });
    } else if (spec.recipe.pairs) {
      // Preference data: a row may hold several members (responses), each valid or not on its own.
      const norm = normalizePairRecord(item.text, spec.recipe.format, spec.recipe.pairs.groupBy);
      if (!norm.ok) invalid.push({ source, error: norm.error, raw: item.text.slice(0, RAW_LIMIT) });
      else {
        for (const m of norm.members) {
          valid.push({
            id: recordId(range.part, item.offset, m.sub === 0 ? m.hash : `${m.hash}:${m.sub}`),
            hash: m.hash,
            format: m.format,
            turns: m.turns,
            local: item.local,
            ...(item.localLine === undefined ? {} : { localLine: item.localLine }),
            record: m.record,
            pair: m.pair,
          });
        }
        for (const e of norm.errors) invalid.push({ source, error: e.error, raw: e.raw.slice(0, RAW_LIMIT) });
      }
    } else {
      const norm = normalizeRecord(item.text, spec.recipe.format);
      if (norm.ok) {
        const hash = contentHash(norm.turns);
        valid.push({
          id: recordId(range.part, item.offset, hash),
          hash,
          format: norm.format,
          turns: norm.turns,
          local: item.local,
          ...(item.localLine === undefined ? {} : { localLine: item.localLine }),
          record: norm.record,
        });
      } else {
        invalid.push({ source, error: norm.error, raw: item.text.slice(0, RAW_LIMIT) });
      }
    }
    next = await it.next();
  }
  const tally = next.value;
  await store.put(shardKey(spec.id, info.shard, 'records.jsonl'), toJsonl(valid));
  await store.put(shardKey(spec.id, info.shard, 'invalid.jsonl'), toJsonl(invalid));
  return { records: tally.records, valid: valid.length, invalid: invalid.length, lines: tally.lines };
}
