import type { ShardRecord, Source } from '../../../schemas/record.ts';
import { accumulateStats, resolveScorers, type ScoreStat, scoreBatch } from '../../score/index.ts';
import { fromJsonl, toJsonl } from '../jsonl.ts';
import { shardKey } from '../keys.ts';
import { globalSource } from '../source.ts';
import type { JobSpec, ShardInfo } from '../spec.ts';
import { type BlobStore, getText } from '../store.ts';

/** One line of a shard's scores file, in the order of its records file. */
export interface ScoredLine {
  id: string;
  hash: string;
  source: Source;
  scores: Record<string, number>;
  flags?: string[];
}

export interface ScoreTally {
  records: number;
  stats: Record<string, ScoreStat>;
}

const BATCH = 256;

/** Run the recipe's scorers over one shard's records. */
export async function score(store: BlobStore, spec: JobSpec, info: ShardInfo): Promise<ScoreTally> {
  const records = fromJsonl<ShardRecord>(
    await getText(store, shardKey(spec.id, info.shard, 'records.jsonl')),
  );
  const scorers = resolveScorers(spec.recipe.scorers);
  const lines: ScoredLine[] = [];
  const stats: Record<string, ScoreStat> = {};
  for (let i = 0; i < records.length; i += BATCH) {
    const batch = records.slice(i, i + BATCH);
    const rows = await scoreBatch(batch, scorers, { seed: spec.recipe.seed });
    rows.forEach((row, j) => {
      const r = batch[j];
      accumulateStats(stats, row.scores);
      lines.push({
        id: r.id,
        hash: r.hash,
        source: globalSource(info, r.local, r.localLine),
        scores: row.scores,
        ...(row.flags?.length ? { flags: row.flags } : {}),
      });
    });
  }
  await store.put(shardKey(spec.id, info.shard, 'scores.jsonl'), toJsonl(lines));
  return { records: lines.length, stats };
}
