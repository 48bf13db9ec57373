import { type RoundSpec, rankValue, type ShardSummary, summarize } from '../../select/index.ts';
import { fromJsonl } from '../jsonl.ts';
import { shardKey } from '../keys.ts';
import type { JobSpec, ShardInfo } from '../spec.ts';
import { type BlobStore, getText } from '../store.ts';
import type { ScoredLine } from './score.ts';

/**
 * One round of the global top-k: round 0 computes every record's rank value and stores it as
 * float64 beside the shard (-1 for records a filter rejected); every round summarizes the values
 * for the coordinator.
 */
export async function select(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  round: RoundSpec,
  stats: Record<string, { min: number; max: number }>,
): Promise<{ n: number; summary: ShardSummary }> {
  const values =
    round.round === 0
      ? await computeRanks(store, spec, info, stats)
      : await readRanks(store, spec.id, info.shard);
  return { n: values.length, summary: summarize(values, round) };
}

async function computeRanks(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  stats: Record<string, { min: number; max: number }>,
): Promise<Float64Array> {
  const lines = fromJsonl<ScoredLine>(await getText(store, shardKey(spec.id, info.shard, 'scores.jsonl')));
  const values = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    // A filtered record is no candidate: -1 keeps it out of every round's counts.
    values[i] = line.filter ? -1 : rankValue(line.scores, spec.recipe.select.rank, stats);
  });
  await store.put(shardKey(spec.id, info.shard, 'rank.f64'), new Uint8Array(values.buffer));
  return values;
}

export async function readRanks(store: BlobStore, job: string, shard: number): Promise<Float64Array> {
  const bytes = await store.get(shardKey(job, shard, 'rank.f64'));
  if (!bytes) throw new Error(`rank values of shard ${shard} are missing`);
  // Copy into an aligned buffer: a view into a larger buffer may start at an odd offset.
  return new Float64Array(bytes.slice().buffer);
}
