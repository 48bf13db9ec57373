import type { InvalidLine } from '../../../../schemas/output.ts';
import type { TrajectoryRow } from '../../../../schemas/pairs.ts';
import type { ShardRecord, Source } from '../../../../schemas/record.ts';
import { partitionOf } from '../../../pairs/keys.ts';
import { memberScore, pairsScoreNeedsScorers } from '../../../pairs/score-by.ts';
import { fromJsonl, toJsonl } from '../../jsonl.ts';
import { outputPartKey, pairsScatterKey, shardKey } from '../../keys.ts';
import { readShardRecords } from '../../shard-records.ts';
import { globalSource } from '../../source.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import type { ScoredLine } from '../score/score.ts';

/**
 * A member as the partitions hold it: keys, score, position, and what pairs.jsonl writes of it. It is
 * a RankedMember as it is (score, success, order), so strategies rank the lines themselves.
 */
export interface ScatterLine {
  id: string;
  /** Group and task keys. */
  g: string;
  t: string;
  /** The score it is ranked by; null when it has none (no given score, no scorer output). */
  score: number | null;
  success?: boolean;
  /** Input position: record index, then place in its row. */
  order: [number, number];
  src: Source;
  /** The prompt, and the member as chosen/rejected (TRL's format; a rollout, or its key). */
  p: unknown;
  c: unknown;
  /** A response's `meta` (the model that wrote it, its sampling settings, …), when given. */
  m?: unknown;
}

export interface ScatterTally {
  members: number;
  scored: number;
  invalid: number;
  /** invalid.jsonl bytes of this shard. */
  bytes: number;
}

/**
 * Input bytes per hash partition by default. A partition task holds its members whole: at 1M rollout
 * steps, 8 MB of rollouts in a partition peaked at 27 MB of heap, well inside a 128 MB isolate.
 */
export const PARTITION_BYTES = 8 * 1024 * 1024;

/** Partitions groups are gathered in: the recipe's, else one per 8 MiB of input (1-1024). */
export function pairPartitions(spec: JobSpec): number {
  if (spec.recipe.pairs?.partitions) return spec.recipe.pairs.partitions;
  const bytes = spec.objects.reduce((a, o) => a + o.size, 0);
  return Math.min(1024, Math.max(1, Math.ceil(bytes / PARTITION_BYTES)));
}

/**
 * The pairs stage's map: each of a shard's members gets its score and goes to the hash partition of
 * its task, so every group (and every task) is gathered by one partition task, however many shards it
 * spans. The shard's invalid records are written out with their global positions.
 */
export async function pairsScatter(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  partitions: number,
): Promise<ScatterTally> {
  const records = await readShardRecords(store, spec.id, info);
  // Scores are read only when a scorer's output ranks the members (the score stage ran).
  const scored = pairsScoreNeedsScorers(spec.recipe.pairs)
    ? scoresById(fromJsonl<ScoredLine>(await getText(store, shardKey(spec.id, info.shard, 'scores.jsonl'))))
    : new Map<string, Record<string, number>>();
  const parts: ScatterLine[][] = Array.from({ length: partitions }, () => []);
  let withScore = 0;
  for (const r of records) {
    const line = scatterLine(r, spec, info, scored);
    if (line.score !== null) withScore++;
    parts[partitionOf(line.t, partitions)].push(line);
  }
  // Only partitions with members are written; a partition task reads a missing key as empty.
  await Promise.all(
    parts.map((lines, p) =>
      lines.length > 0 ? store.put(pairsScatterKey(spec.id, p, info.shard), toJsonl(lines)) : undefined,
    ),
  );
  const invalid = fromJsonl<InvalidLine>(
    await getText(store, shardKey(spec.id, info.shard, 'invalid.jsonl')),
  ).map((line) => ({ ...line, source: globalSource(info, line.source.index ?? 0, line.source.line) }));
  const data = new TextEncoder().encode(toJsonl(invalid));
  await store.put(outputPartKey(spec.id, 'invalid.jsonl', info.shard), data);
  return { members: records.length, scored: withScore, invalid: invalid.length, bytes: data.byteLength };
}

function scoresById(lines: ScoredLine[]): Map<string, Record<string, number>> {
  return new Map(lines.map((l) => [l.id, l.scores]));
}

function scatterLine(
  r: ShardRecord,
  spec: JobSpec,
  info: ShardInfo,
  scored: Map<string, Record<string, number>>,
): ScatterLine {
  const pairs = spec.recipe.pairs!;
  const meta = r.pair!;
  const src = globalSource(info, r.local, r.localLine);
  const line: ScatterLine = {
    id: r.id,
    g: meta.group,
    t: meta.task,
    score: memberScore(r, pairs, scored.get(r.id)),
    order: [src.index, meta.sub],
    src,
    ...payload(r, src, pairs.payload),
  };
  if (meta.success !== undefined) line.success = meta.success;
  const given = r.format === 'trajectory' ? undefined : (r.record as { meta?: unknown }).meta;
  if (given !== undefined) line.m = given;
  return line;
}

/** TRL's columns: a text prompt and completions, or conversational messages; a rollout whole or by key. */
function payload(r: ShardRecord, src: Source, mode: 'full' | 'key'): { p: unknown; c: unknown } {
  if (r.format === 'trajectory') {
    // The prompt is the task; the initial state is part of each rollout (or found by its key).
    return { p: (r.record as TrajectoryRow).task, c: mode === 'full' ? r.record : { id: r.id, source: src } };
  }
  const answer = r.turns[r.turns.length - 1].content;
  if (r.pair!.style === 'text') return { p: r.turns[0].content, c: answer };
  return { p: r.turns.slice(0, -1), c: [{ role: 'assistant', content: answer }] };
}
