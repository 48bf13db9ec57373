import type { PairLine } from '../../../../schemas/pairs.ts';
import { checkPair, type RowFile, rankingRow, rowLine, trlPairRow } from '../../../export/index.ts';
import { fromJsonl } from '../../jsonl.ts';
import { outputPartKey, type PartFile } from '../../keys.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec, StageDef } from '../../types.ts';
import { pairsStage } from '../pairs/stage.ts';
import { type ParquetBytes, parquetOutputs, writeParquetParts } from './parquet.ts';
import {
  exportReport,
  leaveOut,
  mergeTrainTallies,
  planOf,
  type TrainSummary,
  type TrainTally,
  trainerFiles,
  writeConfigs,
  writeRowParts,
} from './train.ts';

export interface PairsExportState {
  /** Partitions of pairs.jsonl: the parts read, and the parts each trainer file is written in. */
  partitions: number;
  train?: TrainSummary;
  /** With `export.parquet`: each partition's Parquet parts' bytes, by config folder. */
  parquet?: ParquetBytes[];
  /** With `export.parquet`: each shard's invalid.jsonl part as Parquet (its bytes). */
  parquetInvalid?: ParquetBytes[];
}

/** The part files a pairs job's Parquet step converts, per partition: pairs.jsonl, groups.jsonl, the trainer rows. */
const parquetSources = (spec: JobSpec): PartFile[] => ['pairs.jsonl', 'groups.jsonl', ...planOf(spec).rows];

/**
 * A pairs.jsonl part as the trainer files' parts: `train.jsonl` in TRL's conversational preference
 * format, `train.ranking.jsonl` in LLaMA-Factory's ranking format. A pair that is not chat (a rollout)
 * or whose prompt does not end with the user is left out and counted by reason, under its `chosen_id`.
 */
export async function writePairsTrain(
  store: BlobStore,
  spec: JobSpec,
  partition: number,
): Promise<TrainTally> {
  const { rows } = planOf(spec);
  const pairs = fromJsonl<PairLine>(await getText(store, outputPartKey(spec.id, 'pairs.jsonl', partition)));
  const lines = new Map<RowFile, string[]>(rows.map((f) => [f, []]));
  const t: TrainTally = { exported: 0, notExported: {}, examples: {}, bytes: {} };
  for (const pair of pairs) {
    const checked = checkPair(pair);
    if (!checked.ok) {
      leaveOut(t, pair.chosen_id, checked);
      continue;
    }
    const { prompt, chosen, rejected } = checked;
    t.exported++;
    lines.get('train.jsonl')?.push(rowLine(trlPairRow(prompt, chosen, rejected)));
    lines.get('train.ranking.jsonl')?.push(rowLine(rankingRow(prompt, chosen, rejected)));
  }
  t.bytes = await writeRowParts(store, spec, partition, lines);
  if (partition === 0) t.configs = await writeConfigs(store, spec);
  return t;
}

/**
 * A pairs job's trainer files (recipe `export.formats`), after the pairs stage: a task per partition
 * of pairs.jsonl writes its part of each. Pairs carry no weight.
 */
export const pairsExportStage: StageDef<
  PairsExportState,
  number,
  { write: TrainTally; parquet: ParquetBytes; 'parquet-invalid': ParquetBytes }
> = {
  id: 'pairs-export',
  queue: 'export',
  summary: "write a pairs job's trainer files (TRL preference, LLaMA-Factory ranking) from pairs.jsonl",
  applies: (spec) =>
    spec.recipe.pairs !== undefined && (spec.recipe.export.formats.length > 0 || spec.recipe.export.parquet),
  start: (view) => ({ step: 'write', state: { partitions: view.of(pairsStage)?.partitions ?? 0 } }),
  steps: {
    write: {
      fan: (s) => s.partitions,
      run: (t, env) => writePairsTrain(env.store, t.spec, t.index),
      counts: (r) => ({
        in: r.exported + Object.values(r.notExported).reduce((a, n) => a + n, 0),
        out: r.exported,
      }),
    },
    parquet: {
      fan: (s) => s.partitions,
      run: (t, env) => writeParquetParts(env.store, t.spec, parquetSources(t.spec), t.index, t.input),
    },
    // invalid.jsonl is kept per shard, not per partition.
    'parquet-invalid': {
      fan: 'shards',
      run: (t, env) => writeParquetParts(env.store, t.spec, ['invalid.jsonl'], t.index, t.shards),
    },
  },
  // The parts a Parquet file is cut in: pairs.jsonl's partitions.
  input: (_view, s) => s.partitions,
  next(view, b) {
    if (b.step === 'parquet') return { step: 'parquet-invalid', state: { ...b.state, parquet: b.results } };
    if (b.step === 'parquet-invalid') return { done: true, state: { ...b.state, parquetInvalid: b.results } };
    const state = { ...b.state, train: mergeTrainTallies(b.results as TrainTally[]) };
    return view.spec.recipe.export.parquet ? { step: 'parquet', state } : { done: true, state };
  },
  report: (view, s) =>
    view.spec.recipe.export.formats.length > 0 ? { export: exportReport(view, s?.train) } : {},
  outputs: (view, s) => [
    ...trainerFiles(view, s?.train, s?.train ? s.partitions : 0),
    ...parquetOutputs(view.spec, parquetSources(view.spec), s?.parquet),
    ...parquetOutputs(view.spec, ['invalid.jsonl'], s?.parquetInvalid),
  ],
};
