import type { PairLine } from '../../../../schemas/pairs.ts';
import { outputPartKey } from '../../keys.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec } from '../../types.ts';
import { jsonlLines, REPORT_BINS } from './sample.ts';

/** One partition of pairs.jsonl: its margins binned over the job's [min, max], and pairs per task. */
export interface PairsCounts {
  margins: number[];
  /** Tasks by how many pairs they gave: `[pairs, tasks]`. */
  perTask: [pairs: number, tasks: number][];
}

/** A task's pairs all fall in its hash partition, so counting per partition counts per task. */
export async function reportPairsPartition(
  store: BlobStore,
  spec: JobSpec,
  partition: number,
  range: { min: number; max: number },
): Promise<PairsCounts> {
  const margins = new Array<number>(REPORT_BINS).fill(0);
  const tasks = new Map<string, number>();
  const width = range.max - range.min;
  for (const text of jsonlLines(await getText(store, outputPartKey(spec.id, 'pairs.jsonl', partition)))) {
    const line = JSON.parse(text) as Pick<PairLine, 'margin' | 'task'>;
    const at = width > 0 ? Math.floor(((line.margin - range.min) / width) * REPORT_BINS) : 0;
    margins[Math.min(REPORT_BINS - 1, Math.max(0, at))]++;
    tasks.set(line.task, (tasks.get(line.task) ?? 0) + 1);
  }
  const byCount = new Map<number, number>();
  for (const n of tasks.values()) byCount.set(n, (byCount.get(n) ?? 0) + 1);
  return { margins, perTask: [...byCount].sort((a, b) => a[0] - b[0]) };
}

/** The partitions' counts added up. */
export function mergePairsCounts(parts: readonly PairsCounts[], range: { min: number; max: number }) {
  const counts = new Array<number>(REPORT_BINS).fill(0);
  const per = new Map<number, number>();
  for (const p of parts) {
    p.margins.forEach((n, i) => {
      counts[i] += n;
    });
    for (const [pairs, tasks] of p.perTask) per.set(pairs, (per.get(pairs) ?? 0) + tasks);
  }
  return {
    margins: { min: range.min, max: range.max, counts },
    perTask: [...per].sort((a, b) => a[0] - b[0]).map(([pairs, tasks]) => ({ pairs, tasks })),
  };
}
