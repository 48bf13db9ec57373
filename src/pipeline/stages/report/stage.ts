import type { ReportData } from '../../../../schemas/report-data.ts';
import { reportDataKey } from '../../keys.ts';
import { singleFile } from '../../outputs.ts';
import type { Decision, JobView, ShardInfo, StageDef } from '../../types.ts';
import { clusterCount, clusterStage } from '../cluster/stage.ts';
import { exportStage } from '../export/stage.ts';
import { pairsStage } from '../pairs/stage.ts';
import { scoreStage } from '../score/stage.ts';
import { type Chosen, chooseSample, mergeHistograms, type WriteInputs, writeReportData } from './data.ts';
import { mergePairsCounts, type PairsCounts, reportPairsPartition } from './pairs.ts';
import { groupRate, mapPerCluster, REPORT_CAPS } from './sample.ts';
import { type HistCounts, reportOriginals, reportShard, type ShardResult } from './shard.ts';

export interface ReportStageState {
  /** Candidates kept per cluster (examples and map points), and of those, map points. */
  perCluster: number;
  mapPerCluster: number;
  /** Per group: the rate a candidate's key must fall under (sample.ts, `groupRate`). */
  rates: Record<string, number>;
  chosen?: Chosen;
  /** Ids the chosen duplicates point to. */
  wanted?: string[];
  histograms?: Record<string, HistCounts>;
  rank?: HistCounts & { filtered: number };
  pairs?: ReportData['pairs'];
  /** Shards holding originals of chosen duplicates. */
  originals?: number[];
  /** Bytes of report-data.json. */
  bytes?: number;
}

interface ReportInput {
  shard?: ShardInfo;
  stats?: Record<string, { min: number; max: number }>;
  perCluster?: number;
  mapPerCluster?: number;
  rates?: Record<string, number>;
  margin?: { min: number; max: number };
  wanted?: string[];
  write?: WriteInputs;
}

interface ReportSteps {
  shard: ShardResult;
  pairs: PairsCounts;
  originals: { found: number };
  write: { bytes: number };
}

type Next = Decision<ReportStageState, ReportSteps>;

const ranges = (view: JobView) => view.of(scoreStage)?.ranges ?? {};
const marginRange = (view: JobView) => view.of(pairsStage)?.written?.margin ?? null;

/** Each group's rate, from its size: the export's tally (or the pairs scatter's), the clusters' sizes. */
function groupRates(view: JobView, perCluster: number): Record<string, number> {
  const tally = view.of(exportStage)?.tally;
  const rates: Record<string, number> = {};
  if (tally) {
    rates.selected = groupRate(REPORT_CAPS.selected, tally.selected);
    for (const [reason, n] of Object.entries(tally.rejectedByReason))
      rates[`reason:${reason}`] = groupRate(REPORT_CAPS.perReason, n);
  }
  const invalid = tally?.invalid ?? view.of(pairsStage)?.scattered?.invalid;
  if (invalid !== undefined) rates.invalid = groupRate(REPORT_CAPS.invalid, invalid);
  const sizes = view.of(clusterStage)?.summary?.sizes ?? [];
  sizes.forEach((n, c) => {
    rates[`cluster:${c}`] = groupRate(perCluster, n);
  });
  return rates;
}

function afterPairs(state: ReportStageState): Next {
  return state.wanted?.length ? { step: 'originals', state } : { step: 'write', state };
}

/**
 * What report.html shows beyond report.json (report-data.json): every score's histogram over every
 * record, selected against not, and a deterministic sample of examples per rejection reason, per
 * cluster, of the selection and of invalid lines, with the records the duplicates point to and a 2-D
 * map of the embeddings. A task per shard bins and keeps its smallest ids per group; the barrier
 * picks the global sample; a task per shard finds the originals of the chosen duplicates (by its ids
 * file); one task writes the file. The page itself is rendered beside report.json (src/report/).
 */
export const reportStage: StageDef<ReportStageState, ReportInput, ReportSteps> = {
  id: 'report',
  queue: 'export',
  summary: 'sample the examples and bin the scores that report.html shows (report-data.json)',
  // A safety job's outputs are its own (report.json's `safety`): its page goes without report-data.json.
  applies: (spec) => !spec.recipe.safety,
  start(view) {
    const clustered = view.spec.recipe.cluster !== undefined && !view.spec.recipe.pairs;
    const map = clustered ? mapPerCluster(clusterCount(view)) : 0;
    const perCluster = clustered ? Math.max(REPORT_CAPS.perCluster, map) : 0;
    return { step: 'shard', state: { perCluster, mapPerCluster: map, rates: groupRates(view, perCluster) } };
  },
  steps: {
    shard: {
      fan: 'shards',
      run: (t, env) =>
        reportShard(env.store, t.spec, t.input.shard!, {
          stats: t.input.stats ?? {},
          perCluster: t.input.perCluster ?? 0,
          mapPerCluster: t.input.mapPerCluster ?? 0,
          rates: t.input.rates ?? {},
        }),
      counts: (r) => ({ in: r.records, out: r.records }),
    },
    pairs: {
      fan: (_s, view) => view.of(pairsStage)?.partitions ?? 0,
      run: (t, env) => reportPairsPartition(env.store, t.spec, t.index, t.input.margin!),
    },
    originals: {
      fan: 'shards',
      run: (t, env) => reportOriginals(env.store, t.spec, t.input.shard!, t.input.wanted ?? []),
    },
    write: { fan: 'one', run: (t, env) => writeReportData(env.store, t.spec, t.input.write!) },
  },
  input(view, s, step, index) {
    switch (step) {
      case 'shard':
        return {
          shard: view.table.shard(index),
          stats: ranges(view),
          perCluster: s.perCluster,
          mapPerCluster: s.mapPerCluster,
          rates: s.rates,
        };
      case 'pairs':
        return { margin: marginRange(view) ?? { min: 0, max: 0 } };
      case 'originals':
        return { shard: view.table.shard(index), wanted: s.wanted ?? [] };
      default:
        return {
          write: {
            chosen: s.chosen ?? {},
            originals: s.originals ?? [],
            histograms: s.histograms ?? {},
            ...(s.rank ? { rank: s.rank } : {}),
            stats: ranges(view),
            perCluster: s.perCluster,
            mapPerCluster: s.mapPerCluster,
            ...(s.pairs ? { pairs: s.pairs } : {}),
          },
        };
    }
  },
  next(view, b): Next {
    switch (b.step) {
      case 'shard': {
        const { chosen, wanted } = chooseSample(b.results, b.state.perCluster);
        const state = { ...b.state, chosen, wanted, ...mergeHistograms(b.results) };
        const margin = marginRange(view);
        if (view.spec.recipe.pairs && margin && (view.of(pairsStage)?.partitions ?? 0) > 0)
          return { step: 'pairs', state };
        return afterPairs(state);
      }
      case 'pairs':
        return afterPairs({ ...b.state, pairs: mergePairsCounts(b.results, marginRange(view)!) });
      case 'originals': {
        const originals = b.results.flatMap((r, shard) => (r.found > 0 ? [shard] : []));
        return { step: 'write', state: { ...b.state, originals } };
      }
      case 'write':
        return { done: true, state: { ...b.state, bytes: b.results[0].bytes } };
    }
  },
  // After the record files, beside the card: it describes them.
  trailer: true,
  outputs(view, s) {
    if (!s?.bytes) return [];
    return [singleFile('report-data.json', reportDataKey(view.spec.id), s.bytes)];
  },
};
