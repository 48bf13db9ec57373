import type { InvalidLine, OutputLine } from '../../../schemas/output.ts';
import { resolveScorers } from '../../score/index.ts';
import { type Cut, selectMask } from '../../select/index.ts';
import { fromJsonl, toJsonl } from '../jsonl.ts';
import { type OutputFile, outputPartKey, shardKey } from '../keys.ts';
import { readShardRecords } from '../shard-records.ts';
import { globalSource } from '../source.ts';
import type { JobSpec, ShardInfo } from '../spec.ts';
import { type BlobStore, getText } from '../store.ts';
import { readAssignment } from './cluster.ts';
import type { ScoredLine } from './score.ts';
import { readRanks } from './select.ts';

export interface ExportTally {
  selected: number;
  rejected: number;
  invalid: number;
  rejectedByReason: Record<string, number>;
  /** Bytes written per output file, for the output manifest. */
  bytes: Record<OutputFile, number>;
}

/** Apply the global cut to one shard and write its part of every output file. */
export async function exportShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  cut: Cut,
  totals: Record<string, unknown> = {},
): Promise<ExportTally> {
  const key = (file: Parameters<typeof shardKey>[2]) => shardKey(spec.id, info.shard, file);
  const records = await readShardRecords(store, spec.id, info.shard);
  const scored = fromJsonl<ScoredLine>(await getText(store, key('scores.jsonl')));
  const invalid = fromJsonl<InvalidLine>(await getText(store, key('invalid.jsonl')));
  const ranks = records.length > 0 ? await readRanks(store, spec.id, info.shard) : new Float64Array(0);
  if (scored.length !== records.length || ranks.length !== records.length) {
    throw new Error(
      `shard ${info.shard}: ${records.length} records, ${scored.length} scores, ${ranks.length} ranks`,
    );
  }
  const mask = selectMask(ranks, cut, info.shard);
  const assigned = spec.recipe.cluster ? await readAssignment(store, spec.id, info.shard) : null;
  const datasetWide = resolveScorers(spec.recipe.scorers).filter(
    ({ scorer }) => scorer.dataset && scorer.id in totals,
  );
  const selected: OutputLine[] = [];
  const rejected: OutputLine[] = [];
  const rejectedByReason: Record<string, number> = {};
  records.forEach((r, i) => {
    let scores = scored[i].scores;
    for (const { scorer, config } of datasetWide) {
      scores = { ...scores, ...scorer.dataset!.apply(scored[i], totals[scorer.id], config) };
    }
    const line: OutputLine = {
      id: r.id,
      hash: r.hash,
      source: scored[i].source,
      record: r.record,
      scores,
      rank: ranks[i],
      ...(assigned ? { cluster: assigned.labels[i] } : {}),
      ...(assigned?.top ? { posteriors: assigned.top[i].map(([cluster, p]) => ({ cluster, p })) } : {}),
      ...(scored[i].flags ? { flags: scored[i].flags } : {}),
      ...(scored[i].note ? { note: scored[i].note } : {}),
    };
    const filtered = scored[i].filter;
    if (!filtered && mask[i] === 1) selected.push(line);
    else {
      const reason = filtered ?? 'budget';
      rejected.push({ ...line, reason });
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
    }
  });
  const invalidOut = invalid.map((line) => ({
    ...line,
    source: globalSource(info, line.source.index ?? 0, line.source.line),
  }));
  const texts: Record<OutputFile, string> = {
    'selected.jsonl': toJsonl(selected),
    'rejected.jsonl': toJsonl(rejected),
    'invalid.jsonl': toJsonl(invalidOut),
  };
  const bytes = {} as Record<OutputFile, number>;
  for (const [file, text] of Object.entries(texts) as [OutputFile, string][]) {
    const data = new TextEncoder().encode(text);
    bytes[file] = data.byteLength;
    await store.put(outputPartKey(spec.id, file, info.shard), data);
  }
  return {
    selected: selected.length,
    rejected: rejected.length,
    invalid: invalid.length,
    rejectedByReason,
    bytes,
  };
}
