import type { Report } from '../../../../schemas/output.ts';
import type { DiffCounts } from '../../../../schemas/schedule.ts';
import { ALL, type Cut } from '../../../select/index.ts';
import { diffKey, diffPartKey, outputPartKey, type PartFile } from '../../keys.ts';
import { jsonlFile, singleFile } from '../../outputs.ts';
import type { Decision, JobSpec, JobView, ShardInfo, StageDef } from '../../types.ts';
import { validRecords } from '../ingest/stage.ts';
import { scoreStage } from '../score/stage.ts';
import type { SelectState } from '../select/plan.ts';
import { reserveReport, selectBudget, selectStage } from '../select/stage.ts';
import {
  type DiffPartResult,
  type DiffResult,
  diffPart,
  diffParts,
  mergeDiffParts,
  writeDiff,
  writeMembersIndex,
} from './diff.ts';
import { type ExportTally, exportShard, mergeExportTallies } from './export.ts';
import { type ParquetBytes, parquetOutputs, writeParquetParts } from './parquet.ts';
import {
  exportReport,
  mergeTrainTallies,
  planOf,
  type TrainSummary,
  type TrainTally,
  trainerFiles,
  writeTrainShard,
} from './train.ts';
import { type WeightsResult, writeWeights } from './weights.ts';

/** The record files every shard writes a part of. */
const RECORD_FILES = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl'] as const;
type RecordFile = (typeof RECORD_FILES)[number];

export interface ExportState {
  /** Every shard's tally, merged. */
  tally: ExportTally;
  /** Bytes of each shard's part of every record file. */
  parts: Record<RecordFile, number[]>;
  weights?: WeightsResult;
  /** With `export.formats`: the trainer files' rows, parts and configuration files. */
  train?: TrainSummary;
  /** With `export.parquet`: each shard's Parquet parts' bytes, by config folder. */
  parquet?: ParquetBytes[];
  /** With `export.parquet` and a diff: each diff.jsonl part's Parquet copy's bytes. */
  parquetDiff?: ParquetBytes[];
  /** Compared with `spec.previous`: the diff parts, their merged counts and sizes, then diff.json. */
  diff?: { parts: number; counts?: DiffCounts; bytes?: number; partBytes?: number[]; result?: DiffResult };
}

interface ExportInput {
  shard?: ShardInfo;
  cut: Cut;
  totals: Record<string, unknown>;
  stats: Record<string, { min: number; max: number }>;
  diff?: ExportState['diff'];
}

interface ExportSteps {
  write: ExportTally;
  weights: WeightsResult;
  train: TrainTally;
  parquet: ParquetBytes;
  'diff-part': DiffPartResult;
  diff: DiffResult;
  'parquet-diff': ParquetBytes;
}

/**
 * Apply the cut: every shard writes its part of selected.jsonl, rejected.jsonl and invalid.jsonl; one
 * task writes weights.jsonl (and the members index a later run compares with); with `export.formats`,
 * every shard writes its part of the trainer files (src/export/); with a previous run, tasks per
 * id-bucket range diff the two and one task writes diff.json.
 */
export const exportStage: StageDef<ExportState, ExportInput, ExportSteps> = {
  id: 'export',
  queue: 'export',
  summary:
    'write the selection, the rejections and the invalid lines, weights.jsonl, the trainer files and the diff',
  applies: (spec) => !spec.recipe.pairs && !spec.recipe.safety,
  start: () => ({
    step: 'write',
    state: {
      tally: mergeExportTallies([]),
      parts: { 'selected.jsonl': [], 'rejected.jsonl': [], 'invalid.jsonl': [] },
    },
  }),
  steps: {
    write: {
      fan: 'shards',
      run: (t, env) => exportShard(env.store, t.spec, t.input.shard!, t.input),
      counts: (r) => ({ in: r.selected + r.rejected + r.invalid, out: r.selected }),
    },
    weights: {
      fan: 'one',
      async run(t, env) {
        // The members index too: a later run compares itself with this one through it.
        await writeMembersIndex(env.store, t.spec, t.shards);
        return writeWeights(env.store, t.spec, t.shards);
      },
    },
    // Counts nothing: the write step counted the records this stage read.
    train: { fan: 'shards', run: (t, env) => writeTrainShard(env.store, t.spec, t.input.shard!) },
    // Counts nothing either: it converts the parts written above.
    parquet: {
      fan: 'shards',
      run: (t, env) => writeParquetParts(env.store, t.spec, parquetSources(t.spec), t.index, t.shards),
    },
    'diff-part': {
      fan: (s) => s.diff?.parts ?? 0,
      run: (t, env) => diffPart(env.store, t.spec, t.index, t.input.diff!.parts),
    },
    'parquet-diff': {
      fan: (s) => s.diff?.parts ?? 0,
      run: (t, env) => writeParquetParts(env.store, t.spec, ['diff.jsonl'], t.index, t.input.diff!.parts),
    },
    diff: {
      fan: 'one',
      run: (t, env) => {
        const { parts, counts, bytes } = t.input.diff!;
        return writeDiff(env.store, t.spec, { parts, counts: counts!, bytes: bytes! }, t.input.cut);
      },
    },
  },
  input: (view, s, step, index) => {
    const score = view.of(scoreStage);
    return {
      ...(step === 'write' || step === 'train' ? { shard: view.table.shard(index) } : {}),
      cut: view.of(selectStage)?.cut ?? ALL,
      totals: score?.totals ?? {},
      stats: score?.ranges ?? {},
      ...(s.diff ? { diff: s.diff } : {}),
    };
  },
  next(view, b) {
    switch (b.step) {
      case 'write': {
        const parts = Object.fromEntries(
          RECORD_FILES.map((f) => [f, b.results.map((t) => t.bytes[f])]),
        ) as ExportState['parts'];
        return { step: 'weights', state: { tally: mergeExportTallies(b.results), parts } };
      }
      case 'weights': {
        const state = { ...b.state, weights: b.results[0] };
        if (view.spec.recipe.export.formats.length > 0) return { step: 'train', state };
        return afterTrain(view, state);
      }
      case 'train':
        return afterTrain(view, { ...b.state, train: mergeTrainTallies(b.results) });
      case 'parquet':
        return afterParquet(view, { ...b.state, parquet: b.results });
      case 'diff-part': {
        const merged = mergeDiffParts(b.results);
        const diff = { parts: b.results.length, ...merged, partBytes: b.results.map((r) => r.bytes) };
        return { step: 'diff', state: { ...b.state, diff } };
      }
      case 'diff': {
        const state = { ...b.state, diff: { ...b.state.diff!, result: b.results[0] } };
        return view.spec.recipe.export.parquet ? { step: 'parquet-diff', state } : { done: true, state };
      }
      case 'parquet-diff':
        return { done: true, state: { ...b.state, parquetDiff: b.results } };
    }
  },
  report(view, s) {
    const budget = view.of(selectStage)?.budget ?? selectBudget(view);
    const selected = s?.tally.selected ?? 0;
    const w = s?.weights;
    const d = s?.diff?.result;
    return {
      counts: { selected, rejected: s?.tally.rejected ?? 0 },
      rejectedByReason: s?.tally.rejectedByReason ?? {},
      budget: { met: budget.reachable && selected === budget.target },
      selection: selectionReport(view, view.of(selectStage)?.plan, s?.tally),
      weights: w && {
        score: w.score,
        scale: w.scale,
        mean: w.mean,
        min: w.min,
        max: w.max,
        missing: w.missing,
      },
      diff: d && { previous: d.previous, counts: d.counts, threshold: d.threshold, truncated: d.truncated },
      ...(view.spec.recipe.export.formats.length > 0 ? { export: exportReport(view, s?.train) } : {}),
    };
  },
  outputs(view, s) {
    const job = view.spec.id;
    const shards = s ? view.table.count() : 0;
    const perShard = (file: RecordFile | 'weights.jsonl') =>
      Array.from({ length: shards }, (_, n) => outputPartKey(job, file, n));
    const files = RECORD_FILES.map((f) => jsonlFile(f, perShard(f), s?.parts[f] ?? []));
    files.push(jsonlFile('weights.jsonl', perShard('weights.jsonl'), s?.weights?.partBytes ?? []));
    files.push(...trainerFiles(view, s?.train, s?.train ? view.table.count() : 0));
    files.push(...parquetOutputs(view.spec, parquetSources(view.spec), s?.parquet));
    const diff = s?.diff;
    if (diff?.result) {
      files.push(singleFile('diff.json', diffKey(job), diff.result.bytes));
      const keys = Array.from({ length: diff.parts }, (_, p) => diffPartKey(job, p));
      files.push(jsonlFile('diff.jsonl', keys, diff.partBytes ?? []));
      files.push(...parquetOutputs(view.spec, ['diff.jsonl'], s?.parquetDiff));
    }
    return files;
  },
};

/** The part files a selection's Parquet step converts: the record files, weights.jsonl, the trainer rows. */
function parquetSources(spec: JobSpec): PartFile[] {
  return [...RECORD_FILES, 'weights.jsonl', ...planOf(spec).rows];
}

/** After the trainer files: their Parquet copies (`export.parquet`), then the diff. */
function afterTrain(view: JobView, state: ExportState): Decision<ExportState, ExportSteps> {
  if (view.spec.recipe.export.parquet) return { step: 'parquet', state };
  return afterParquet(view, state);
}

/** After the Parquet parts: the diff with the previous run, when there is one. */
function afterParquet(view: JobView, state: ExportState): Decision<ExportState, ExportSteps> {
  if (!view.spec.previous) return { done: true, state };
  return { step: 'diff-part', state: { ...state, diff: { parts: diffParts(validRecords(view)) } } };
}

/** What dedup and the strategy did: counts, per-cluster availability and selection, score histograms. */
function selectionReport(
  view: JobView,
  select: SelectState | undefined,
  exported: ExportTally | undefined,
): Partial<Report['selection']> {
  const { spec } = view;
  const c = select?.counts;
  const per = exported?.perCluster;
  const ranges = view.of(scoreStage)?.ranges ?? {};
  return {
    strategy: spec.recipe.select.strategy,
    candidates: select?.candidates ?? 0,
    dedup: {
      duplicate: c?.duplicate ?? 0,
      near_duplicate: c?.near_duplicate ?? 0,
      semantic_duplicate: c?.semantic_duplicate ?? 0,
      edges: c?.edges ?? 0,
      buckets: c?.buckets ?? 0,
      compared: c?.compared ?? 0,
    },
    diversity: c?.refused?.diversity ?? 0,
    ...(spec.recipe.select.reserve
      ? { reserve: reserveReport(view, select, exported?.reserveSelected) }
      : {}),
    ...(select?.ic && spec.recipe.select.incontext ? { incontext: incontextReport(view, select.ic) } : {}),
    ...(per
      ? {
          perCluster: per.available.map((available, cluster) => ({
            cluster,
            available,
            selected: per.selected[cluster] ?? 0,
            ...(select?.quotas ? { quota: select.quotas[cluster] ?? 0 } : {}),
          })),
        }
      : {}),
    histograms: Object.fromEntries(
      Object.entries(exported?.histograms ?? {}).map(([name, h]) => [
        name,
        { min: ranges[name]?.min ?? 0, max: ranges[name]?.max ?? 0, ...h },
      ]),
    ),
  };
}

/** What accelerated in-context scoring cost against full scoring, and how well it agreed on the audit. */
function incontextReport(view: JobView, ic: NonNullable<SelectState['ic']>) {
  const cfg = view.spec.recipe.select.incontext!;
  const per = ic.perRecord ?? 1;
  const sampled = ic.sampled ?? 0;
  const audited = ic.audited ?? 0;
  const candidates = ic.candidates ?? 0;
  return {
    scorer: cfg.scorer.id,
    sampleRate: cfg.sampleRate,
    sampled,
    failed: ic.failed ?? 0,
    candidates,
    callsPerRecord: per,
    calls: (sampled + audited) * per,
    auditCalls: audited * per,
    fullCalls: candidates * per,
    callRatio: candidates > 0 ? (sampled + audited) / candidates : 0,
    seconds: ic.seconds ?? 0,
    requests: ic.requests ?? 0,
    audited,
    auditFailed: ic.auditFailed ?? 0,
    ...(ic.compared !== undefined
      ? {
          compared: ic.compared,
          spearman: ic.spearman ?? Number.NaN,
          topOverlap: ic.topOverlap ?? Number.NaN,
          topFraction: ic.topFraction ?? Number.NaN,
        }
      : {}),
  };
}
