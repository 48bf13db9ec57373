import type { PairLine } from '../../../../schemas/pairs.ts';
import { checkPair, type RowFile, rankingRow, rowLine, trlPairRow } from '../../../export/index.ts';
import { fromJsonl } from '../../jsonl.ts';
import { outputPartKey } from '../../keys.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec, StageDef } from '../../types.ts';
import { pairsStage } from '../pairs/stage.ts';
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
}

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
export const pairsExportStage: StageDef<PairsExportState, undefined, { write: TrainTally }> = {
  id: 'pairs-export',
  queue: 'export',
  summary: "write a pairs job's trainer files (TRL preference, LLaMA-Factory ranking) from pairs.jsonl",
  applies: (spec) => spec.recipe.pairs !== undefined && spec.recipe.export.formats.length > 0,
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
  },
  input: () => undefined,
  next: (_view, b) => ({ done: true, state: { ...b.state, train: mergeTrainTallies(b.results) } }),
  report: (view, s) => ({ export: exportReport(view, s?.train) }),
  outputs: (view, s) => trainerFiles(view, s?.train, s?.train ? s.partitions : 0),
};
