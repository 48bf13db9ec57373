import type { InvalidLine, RecordError } from '../../../../schemas/output.ts';
import type { ShardRecord, StoredRecord } from '../../../../schemas/record.ts';
import type { NotUtf8 } from '../../../formats/bytes.ts';
import {
  contentHash,
  normalizeRecord,
  normalizeValue,
  readShard,
  type ShardItem,
} from '../../../formats/index.ts';
import { formatBytes, MAX_RECORD_BYTES } from '../../../limits.ts';
import { normalizePairRecord } from '../../../pairs/normalize.ts';
import { toJsonl } from '../../jsonl.ts';
import { shardKey } from '../../keys.ts';
import { storeSource } from '../../range-source.ts';
import type { BlobStore } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';

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
  const valid: StoredRecord[] = [];
  /** Each valid record's input row as JSON, line for line with `valid` (rows.jsonl). */
  const rows: string[] = [];
  const invalid: InvalidLine[] = [];
  const it = readShard(storeSource(store, object), range, { name: object.key });
  let next = await it.next();
  while (!next.done) {
    const item = next.value;
    const line = 'localLine' in item && item.localLine !== undefined ? { line: item.localLine } : {};
    const source = { index: item.local, ...line };
    const at = 'offset' in item ? { source, offset: item.offset } : { source };
    if ('oversize' in item) {
      invalid.push({ ...at, error: tooLarge(item.bytes), raw: item.head });
    } else if ('unreadable' in item) {
      invalid.push({ ...at, error: item.unreadable, raw: item.raw });
    } else if ('notUtf8' in item && item.notUtf8) {
      invalid.push({ ...at, error: notUtf8(item.offset, item.notUtf8), raw: item.text.slice(0, RAW_LIMIT) });
    } else {
      const { members, errors } = parseRecord(item, spec);
      // A JSONL line is its row's JSON as given (it parsed): written as it is, not stringified again.
      const raw = 'text' in item && !spec.recipe.pairs && !item.text.includes('\n') ? item.text : undefined;
      for (const m of members) {
        // No id yet: it is made from the record's index in its object, known once every shard was counted.
        valid.push({
          hash: m.hash,
          format: m.format,
          turns: m.turns,
          local: item.local,
          ...('localLine' in item && item.localLine !== undefined ? { localLine: item.localLine } : {}),
          ...(m.pair ? { pair: m.pair } : {}),
        });
        rows.push(raw ?? JSON.stringify(m.record));
      }
      for (const e of errors) invalid.push({ ...at, error: e.error, raw: e.raw().slice(0, RAW_LIMIT) });
    }
    next = await it.next();
  }
  const tally = next.value;
  await store.put(shardKey(spec.id, info.shard, 'records.jsonl'), toJsonl(valid));
  await store.put(shardKey(spec.id, info.shard, 'rows.jsonl'), rows.length ? `${rows.join('\n')}\n` : '');
  await store.put(shardKey(spec.id, info.shard, 'invalid.jsonl'), toJsonl(invalid));
  return { records: tally.records, valid: valid.length, invalid: invalid.length, lines: tally.lines };
}

function tooLarge(bytes: number): RecordError {
  const limit = `${formatBytes(MAX_RECORD_BYTES)} (${MAX_RECORD_BYTES} bytes)`;
  return {
    code: 'record_too_large',
    message: `record is ${bytes} bytes, over the ${limit} limit for a record`,
  };
}

/** Where a record's bytes stop being UTF-8: in the record, and in the file. */
function notUtf8(offset: number, bad: NotUtf8): RecordError {
  const byte = `0x${bad.byte.toString(16).padStart(2, '0')}`;
  return {
    code: 'invalid_utf8',
    message: `not valid UTF-8: byte ${byte} at byte ${bad.at} of the record (byte ${offset + bad.at} of the file); JSON text must be UTF-8`,
  };
}

type Member = Pick<ShardRecord, 'hash' | 'format' | 'turns' | 'record' | 'pair'> & { sub: number };

/** A record to parse: JSON text, or a Parquet row already parsed. */
type Parsable = Exclude<ShardItem, { oversize: true } | { unreadable: unknown }>;

/**
 * One input record's valid members and its errors: an instruction record is one member; a
 * preference record (a recipe with `pairs`) one per response or rollout, each valid on its own.
 * `raw` gives the record's text for invalid.jsonl (a Parquet row's is its JSON, made only then).
 */
function parseRecord(
  item: Parsable,
  spec: JobSpec,
): { members: Member[]; errors: { error: RecordError; raw: () => string }[] } {
  const text = 'text' in item ? () => item.text : () => JSON.stringify(item.value);
  if (spec.recipe.pairs) {
    const norm = normalizePairRecord(
      text(),
      spec.recipe.format,
      spec.recipe.pairs.groupBy,
      spec.recipe.pairs,
    );
    if (!norm.ok) return { members: [], errors: [{ error: norm.error, raw: text }] };
    return { members: norm.members, errors: norm.errors.map((e) => ({ error: e.error, raw: () => e.raw })) };
  }
  const norm =
    'text' in item
      ? normalizeRecord(item.text, spec.recipe.format)
      : normalizeValue(item.value, spec.recipe.format);
  if (!norm.ok) return { members: [], errors: [{ error: norm.error, raw: text }] };
  const member = {
    sub: 0,
    hash: contentHash(norm.turns),
    format: norm.format,
    turns: norm.turns,
    record: norm.record,
  };
  return { members: [member], errors: [] };
}
