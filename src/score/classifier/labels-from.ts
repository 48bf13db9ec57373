import { z } from 'zod';
import { validationError, WinnowError, zodIssues } from '../../errors.ts';
import { scorerColumn } from '../column.ts';
import type { FitInput, ScoreInput, ScoreRow, Scorer } from '../types.ts';
import { scorerAt } from './numeric.ts';

export const LabelsFromSchema = z.strictObject({
  /** A model-backed scorer (`judge`, `self_critique`, `ifd`, …) whose verdicts become the labels. */
  scorer: z.string().min(1),
  /** Its config, as in the recipe's `scorers` (`{"provider": "…"}`). */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Which of its outputs is thresholded (default: its first, e.g. `judge`). */
  score: z.string().min(1).optional(),
  /** A record whose score is ≥ min is positive; below it, negative; a failed call, unlabelled. */
  min: z.number(),
  /** Records of the job's fit sample the scorer is run on (by content hash, so the same ones each job). */
  sample: z.number().int().min(10).max(100_000).default(2000),
});
export type LabelsFrom = z.infer<typeof LabelsFromSchema>;

const AT = 'classifier.config.labelsFrom';

function modelScorer(from: LabelsFrom): { scorer: Scorer; config: unknown; output: string } {
  const scorer = scorerAt(from.scorer, `${AT}.scorer`);
  if (scorer.kind !== 'model') {
    throw new WinnowError('validation_failed', {
      path: `${AT}.scorer`,
      detail: `"${from.scorer}" is an offline scorer: labelsFrom distils a model-backed one (judge, self_critique, ifd, …); add an offline scorer to the recipe's scorers instead`,
    });
  }
  const parsed = scorer.config.safeParse(from.config);
  if (!parsed.success) throw validationError(null, zodIssues(parsed.error, `${AT}.config`));
  const output = from.score ?? scorer.outputs[0];
  if (!scorer.outputs.includes(output)) {
    throw new WinnowError('validation_failed', {
      path: `${AT}.score`,
      detail: `"${from.scorer}" writes ${scorer.outputs.join(', ')}, not "${output}"`,
    });
  }
  return { scorer, config: parsed.data, output };
}

/** What labelling the sample cost and gave, for the fit's summary. */
export interface LabelsFromSummary {
  labelsFrom: string;
  /** Sample records labelled (a failed call leaves a record unlabelled). */
  labelledSample: number;
  /** Requests the labelling sent, and cells it found in the dataset's cache instead. */
  labelRequests: number;
  labelCached: number;
  /** Requests a run of the scorer over every valid record of the job would send, at the same rate. */
  fullRunRequests: number;
}

const BATCH = 32;

/**
 * The labelled examples of `labelsFrom`: the first `sample` records of the job's fit sample by content
 * hash, scored by the model-backed scorer through the job's providers (its cells read from and
 * written to the dataset's cache under the column the score stage would use, so a later run of the
 * same scorer reuses them), each labelled positive when the chosen output is ≥ min.
 */
export async function labelsFromScorer(
  input: FitInput,
  from: LabelsFrom,
): Promise<{ records: ScoreInput[]; y: Uint8Array; summary: LabelsFromSummary }> {
  const { scorer, config, output } = modelScorer(from);
  const byHash = new Map<string, ScoreInput>();
  for (const r of input.self) if (!byHash.has(r.hash)) byHash.set(r.hash, r);
  const pool = [...byHash.values()]
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
    .slice(0, from.sample);
  const column = scorerColumn({ scorer, config } as Parameters<typeof scorerColumn>[0]);
  const found = input.cells
    ? await input.cells.get(
        column,
        pool.map((r) => r.hash),
      )
    : new Map<string, ScoreRow>();
  const todo = pool.filter((r) => !found.has(r.hash));
  const before = input.providers?.usage().requests ?? 0;
  const fresh: [string, ScoreRow][] = [];
  for (let i = 0; i < todo.length; i += BATCH) {
    const batch = todo.slice(i, i + BATCH);
    const rows = await scorer.score(batch, config, { seed: input.seed, providers: input.providers });
    batch.forEach((r, j) => {
      fresh.push([r.hash, rows[j]]);
      found.set(r.hash, rows[j]);
    });
  }
  if (input.cells && fresh.length > 0) await input.cells.put(column, fresh);
  const requests = (input.providers?.usage().requests ?? 0) - before;
  const records: ScoreInput[] = [];
  const y: number[] = [];
  for (const r of pool) {
    const v = found.get(r.hash)?.scores[output];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    records.push(r);
    y.push(v >= from.min ? 1 : 0);
  }
  const pos = y.reduce((a, b) => a + b, 0);
  const neg = y.length - pos;
  if (pos < 2 || neg < 2) {
    throw new WinnowError('validation_failed', {
      path: `${AT}.min`,
      detail:
        `labelsFrom gave ${pos} positive and ${neg} negative examples among ${pool.length} sample records ` +
        `(${from.scorer}.${output} ≥ ${from.min} is positive; ${pool.length - y.length} calls failed): ` +
        'each class needs at least 2; move labelsFrom.min or raise labelsFrom.sample',
    });
  }
  const perRecord = todo.length > 0 ? requests / todo.length : 0;
  return {
    records,
    y: Uint8Array.from(y),
    summary: {
      labelsFrom: `${from.scorer}.${output} ≥ ${from.min}`,
      labelledSample: records.length,
      labelRequests: requests,
      labelCached: pool.length - todo.length,
      fullRunRequests: Math.round(perRecord * (input.records ?? input.self.length)),
    },
  };
}
