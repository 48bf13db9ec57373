import type { InvalidLine } from '../../../../schemas/output.ts';
import type { ReportData, ReportExample, ReportHistogram } from '../../../../schemas/report-data.ts';
import type { Diff } from '../../../../schemas/schedule.ts';
import { resolveScorers } from '../../../score/index.ts';
import { WINNOW_VERSION } from '../../../version.ts';
import { diffKey, reportDataKey, reportOriginalsKey, reportShardKey } from '../../keys.ts';
import { type BlobStore, getJson } from '../../store.ts';
import type { JobSpec } from '../../types.ts';
import { principalAxes, projectRows } from './axes.ts';
import { REPORT_CAPS } from './sample.ts';
import type { Candidate, HistCounts, ShardCandidates, ShardResult } from './shard.ts';

/** The global sample: per group, the chosen candidates with the shard that holds each, smallest key first. */
export type Chosen = Record<string, [shard: number, key: string][]>;

/** The group caps: how many candidates of each group the page keeps. */
export function groupCap(name: string, perCluster: number): number {
  if (name === 'selected') return REPORT_CAPS.selected;
  if (name === 'invalid') return REPORT_CAPS.invalid;
  if (name.startsWith('cluster:')) return perCluster;
  return REPORT_CAPS.perReason;
}

/**
 * Every shard's candidates merged: per group, the `cap` smallest keys over all shards (each shard sent
 * its own smallest, so these are the global smallest). Also the ids the chosen duplicates point to.
 */
export function chooseSample(
  results: readonly Pick<ShardResult, 'groups'>[],
  perCluster: number,
): { chosen: Chosen; wanted: string[] } {
  const all = new Map<string, [shard: number, c: Candidate][]>();
  results.forEach((r, shard) => {
    for (const [name, list] of Object.entries(r.groups)) {
      let into = all.get(name);
      if (!into) all.set(name, (into = []));
      for (const c of list) into.push([shard, c]);
    }
  });
  const chosen: Chosen = {};
  const wanted = new Set<string>();
  for (const name of [...all.keys()].sort()) {
    const list = all.get(name)!;
    list.sort((a, b) => (a[1][0] < b[1][0] ? -1 : a[1][0] > b[1][0] ? 1 : 0));
    const kept = list.slice(0, groupCap(name, perCluster));
    chosen[name] = kept.map(([shard, [key]]) => [shard, key]);
    if (name.startsWith('reason:')) for (const [, [, of]] of kept) if (of) wanted.add(of);
  }
  return { chosen, wanted: [...wanted].sort() };
}

/** The shards' bin counts added up. */
export function mergeHistograms(results: readonly Pick<ShardResult, 'histograms' | 'rank'>[]) {
  const histograms: Record<string, HistCounts> = {};
  let rank: (HistCounts & { filtered: number }) | undefined;
  const add = (into: number[], more: readonly number[]) => {
    for (let i = 0; i < more.length; i++) into[i] = (into[i] ?? 0) + more[i];
  };
  for (const r of results) {
    for (const [name, h] of Object.entries(r.histograms)) {
      const acc = (histograms[name] ??= { selected: [], rejected: [] });
      add(acc.selected, h.selected);
      add(acc.rejected, h.rejected);
    }
    if (r.rank) {
      rank ??= { selected: [], rejected: [], filtered: 0 };
      add(rank.selected, r.rank.selected);
      add(rank.rejected, r.rank.rejected);
      rank.filtered += r.rank.filtered;
    }
  }
  return { histograms, ...(rank ? { rank } : {}) };
}

export interface WriteInputs {
  chosen: Chosen;
  /** Shards that hold originals of chosen duplicates. */
  originals: number[];
  histograms: Record<string, HistCounts>;
  rank?: HistCounts & { filtered: number };
  stats: Record<string, { min: number; max: number }>;
  perCluster: number;
  mapPerCluster: number;
  pairs?: ReportData['pairs'];
}

/** Entries of diff.json's lists shown on the page. */
export const DIFF_ENTRIES = 50;

/**
 * The write step (one task): read the chosen candidates from the shards holding them, and the
 * originals, project the map sample on its first two principal components, and write
 * report-data.json. Returns its size.
 */
export async function writeReportData(
  store: BlobStore,
  spec: JobSpec,
  inputs: WriteInputs,
): Promise<{ bytes: number }> {
  const data = await buildReportData(store, spec, inputs);
  const bytes = new TextEncoder().encode(JSON.stringify(data));
  await store.put(reportDataKey(spec.id), bytes, 'application/json');
  return { bytes: bytes.byteLength };
}

export async function buildReportData(
  store: BlobStore,
  spec: JobSpec,
  inputs: WriteInputs,
): Promise<ReportData> {
  const { chosen } = inputs;
  const shards = new Set<number>();
  for (const list of Object.values(chosen)) for (const [s] of list) shards.add(s);
  const candidates = new Map<number, ShardCandidates>();
  for (const s of [...shards].sort((a, b) => a - b)) {
    const c = await getJson<ShardCandidates>(store, reportShardKey(spec.id, s));
    if (!c) throw new Error(`report candidates of shard ${s} are missing`);
    candidates.set(s, c);
  }
  const example = (s: number, id: string): ReportExample => {
    const e = candidates.get(s)?.examples[id];
    if (!e) throw new Error(`report candidates of shard ${s} do not hold record ${id}`);
    return e;
  };
  const selected = (chosen.selected ?? []).map(([s, id]) => example(s, id));
  const rejected: Record<string, ReportExample[]> = {};
  const clusterList: { cluster: number; examples: ReportExample[] }[] = [];
  const points: [number, string, number][] = [];
  for (const [name, list] of Object.entries(chosen)) {
    if (name.startsWith('reason:'))
      rejected[name.slice('reason:'.length)] = list.map(([s, id]) => example(s, id));
    if (name.startsWith('cluster:')) {
      const cluster = Number(name.slice('cluster:'.length));
      const examples = list.slice(0, REPORT_CAPS.perCluster).map(([s, id]) => example(s, id));
      clusterList.push({ cluster, examples });
      for (const [s, id] of list.slice(0, inputs.mapPerCluster)) points.push([s, id, cluster]);
    }
  }
  clusterList.sort((a, b) => a.cluster - b.cluster);
  const invalid: InvalidLine[] = (chosen.invalid ?? [])
    .map(([s, key]) => {
      const line = candidates.get(s)?.invalid[key];
      if (!line) throw new Error(`report candidates of shard ${s} do not hold invalid line ${key}`);
      return line;
    })
    .sort(
      (a, b) => (a.source.part ?? 0) - (b.source.part ?? 0) || (a.source.index ?? 0) - (b.source.index ?? 0),
    );
  const originals: Record<string, ReportExample> = {};
  for (const s of inputs.originals) {
    const found = await getJson<Record<string, ReportExample>>(store, reportOriginalsKey(spec.id, s));
    Object.assign(originals, found ?? {});
  }
  const histograms: Record<string, ReportHistogram> = {};
  for (const [name, h] of Object.entries(inputs.histograms)) {
    const r = inputs.stats[name];
    if (r) histograms[name] = { min: r.min, max: r.max, selected: h.selected, rejected: h.rejected };
  }
  const map = spec.recipe.cluster ? mapOf(points, candidates) : undefined;
  const diff = spec.previous ? await diffLists(store, spec) : undefined;
  return {
    version: 1,
    job: spec.id,
    winnow: WINNOW_VERSION,
    scorers: resolveScorers(spec.recipe.scorers).map(({ scorer }) => ({
      id: scorer.id,
      version: scorer.version,
      outputs: [...scorer.outputs],
    })),
    caps: {
      ...REPORT_CAPS,
      perCluster: Math.min(REPORT_CAPS.perCluster, inputs.perCluster || REPORT_CAPS.perCluster),
      mapPerCluster: inputs.mapPerCluster,
    },
    histograms,
    ...(inputs.rank ? { rank: { min: 0, max: 1, ...inputs.rank } } : {}),
    selected,
    rejected,
    originals,
    ...(spec.recipe.cluster ? { clusters: clusterList } : {}),
    ...(map ? { map } : {}),
    invalid,
    ...(diff ? { diff } : {}),
    ...(inputs.pairs ? { pairs: inputs.pairs } : {}),
  };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The map sample's vectors projected on their first two principal components (none under 3 points). */
export function mapOf(
  points: readonly [shard: number, id: string, cluster: number][],
  candidates: ReadonlyMap<number, ShardCandidates>,
): ReportData['map'] | undefined {
  const rows: { v: number[]; cluster: number }[] = [];
  for (const [s, id, cluster] of points) {
    const v = candidates.get(s)?.vectors[id];
    if (v) rows.push({ v, cluster });
  }
  if (rows.length < 3) return undefined;
  const dim = rows[0].v.length;
  if (dim < 2) return undefined;
  const data = Float32Array.from(rows.flatMap((r) => r.v));
  const axes = principalAxes(data, rows.length, dim, 2);
  const xy = projectRows(data, rows.length, dim, axes);
  return {
    points: rows.map((r, i) => [round4(xy[2 * i]), round4(xy[2 * i + 1]), r.cluster]),
    explained: [0, 1].map((k) => (axes.total > 0 ? round4(axes.variances[k] / axes.total) : 0)) as [
      number,
      number,
    ],
  };
}

/** The first entries of diff.json's lists (diff.jsonl has every entry). */
async function diffLists(store: BlobStore, spec: JobSpec): Promise<ReportData['diff']> {
  const diff = await getJson<Diff>(store, diffKey(spec.id));
  if (!diff) return undefined;
  return { entered: diff.entered.slice(0, DIFF_ENTRIES), left: diff.left.slice(0, DIFF_ENTRIES) };
}
