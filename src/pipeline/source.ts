import type { Source } from '../../schemas/record.ts';
import type { ShardInfo } from './types.ts';

/** Turn a shard-local position into the record's place in the input. */
export function globalSource(info: ShardInfo, local: number, localLine?: number): Source {
  return {
    index: info.indexOffset + local,
    ...(localLine === undefined ? {} : { line: info.lineOffset + localLine }),
    ...(info.multipart ? { part: info.range.part } : {}),
  };
}
