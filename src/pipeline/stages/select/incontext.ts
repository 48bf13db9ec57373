import type { ShardRecord } from '../../../../schemas/record.ts';
import { unitRow } from '../../../embed/normalize.ts';
import type { ProviderSet } from '../../../providers/types.ts';
import { type CellCache, type ResolvedScorer, resolveScorers, scorerColumn } from '../../../score/index.ts';
import {
  auditKey,
  decodeEstimateModel,
  decodeSampleSet,
  encodeEstimateModel,
  encodeSampleSet,
  estimate,
  fitEstimator,
  isSampled,
  lowestKeys,
  type SampleSet,
  smallest,
} from '../../../select/incontext/index.ts';
import { hashUniform } from '../../../util/hash-uniform.ts';
import { fromJsonl } from '../../jsonl.ts';
import {
  icAuditKey,
  icMeasuredKey,
  icModelKey,
  icSampleKey,
  icShardSampleKey,
  shardKey,
} from '../../keys.ts';
import { readShardRecords } from '../../shard-records.ts';
import { type BlobStore, getJson, getText } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import { readAssignment } from '../cluster/cluster.ts';
import { clusterVectors } from '../embed/embed.ts';
import type { ModelRef } from '../fit/fit.ts';
import { loadModel, type ScoredLine, scoreCached } from '../score/score.ts';
import type { IcAuditResult, IcKeysResult, IcScoreResult, SelectState } from './plan.ts';

/** The in-context scorer, its output, and the name of the estimate. */
export function icScorer(spec: JobSpec): { ref: ResolvedScorer; output: string; estimate: string } {
  const ic = spec.recipe.select.incontext!;
  const [ref] = resolveScorers([ic.scorer]);
  const output = ref.scorer.outputs[0];
  return { ref, output, estimate: `${output}_est` };
}

/** The cheap scores the estimator regresses on: every output of the recipe's offline scorers, sorted. */
export function icFeatures(spec: JobSpec): string[] {
  const names = resolveScorers(spec.recipe.scorers)
    .filter((r) => r.scorer.kind !== 'model')
    .flatMap((r) => r.scorer.outputs.filter((o) => !(r.scorer.dataset?.names(r.config) ?? []).includes(o)));
  return [...new Set(names)].sort();
}

interface ShardView {
  records: ShardRecord[];
  lines: ScoredLine[];
  labels: number[];
  keys: Float64Array;
}

async function view(store: BlobStore, spec: JobSpec, info: ShardInfo): Promise<ShardView> {
  const records = await readShardRecords(store, spec.id, info);
  const lines = fromJsonl<ScoredLine>(await getText(store, shardKey(spec.id, info.shard, 'scores.jsonl')));
  const labels = (await readAssignment(store, spec.id, info.shard))?.labels ?? [];
  if (labels.length !== records.length)
    throw new Error(`shard ${info.shard}: cluster labels do not match its ${records.length} records`);
  const keys = new Float64Array(records.length);
  records.forEach((r, i) => {
    keys[i] = hashUniform(r.hash);
  });
  return { records, lines, labels, keys };
}

/** In-context step 1, one shard: each cluster's smallest sampling keys among the candidates. */
export async function icKeys(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  state: SelectState,
): Promise<IcKeysResult> {
  const v = await view(store, spec, info);
  const cand = v.records.flatMap((_, i) => (v.lines[i].filter ? [] : [i]));
  const lowest = lowestKeys(
    cand.map((i) => v.labels[i]),
    cand.map((i) => v.keys[i]),
    state.k,
    spec.recipe.select.incontext!.minPerCluster,
  );
  return { records: v.records.length, candidates: cand.length, lowest };
}

type ScoreDeps = { models: Record<string, ModelRef>; cells?: CellCache; providers?: ProviderSet };

/**
 * The expensive score of the records `picked` (indices into the shard): from the full scorer's column
 * when the recipe runs it too, else from the cell cache or the model. NaN where the model gave none.
 */
async function fullScores(store: BlobStore, spec: JobSpec, v: ShardView, picked: number[], deps: ScoreDeps) {
  // A host may hand every task the same provider set: count this task's requests as a difference.
  const before = deps.providers?.usage().requests ?? 0;
  const started = Date.now();
  const { ref, output } = icScorer(spec);
  const full = spec.recipe.scorers.some((s) => s.id === ref.scorer.id);
  let computed = 0;
  let perRecord = 1;
  const modelRef = deps.models[ref.scorer.id];
  const model = modelRef ? await loadModel(store, ref, modelRef) : undefined;
  const anchors = (model as { anchors?: unknown[] } | undefined)?.anchors;
  if (Array.isArray(anchors)) perRecord = anchors.length;
  let values: number[];
  if (full) values = picked.map((i) => v.lines[i].scores[output]);
  else if (picked.length === 0) values = [];
  else {
    const ctx = { seed: spec.recipe.seed, model, providers: deps.providers };
    const cells = spec.recipe.cache ? deps.cells : undefined;
    const { rows, computed: c } = await scoreCached(
      picked.map((i) => v.records[i]),
      ref,
      ctx,
      cells,
      scorerColumn(ref, modelRef?.hash),
    );
    computed = c;
    values = picked.map((i) => rows.get(v.records[i].hash)?.scores[output] ?? Number.NaN);
  }
  const requests = (deps.providers?.usage().requests ?? 0) - before;
  return { values, computed, perRecord, requests, seconds: (Date.now() - started) / 1000 };
}

/**
 * In-context step 2, one shard: the sampled candidates get the expensive score (from the cell cache, or
 * from the full scorer's column when the recipe runs it too, else from the model), and go to the
 * sample with their vector, cluster and cheap scores.
 */
export async function icScore(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  state: SelectState,
  deps: ScoreDeps,
): Promise<IcScoreResult> {
  const v = await view(store, spec, info);
  const thresholds = state.ic!.thresholds;
  const picked = v.records.flatMap((_, i) =>
    !v.lines[i].filter && isSampled(v.keys[i], thresholds[v.labels[i]]) ? [i] : [],
  );
  const { values, computed, perRecord, requests, seconds } = await fullScores(store, spec, v, picked, deps);
  const audit = smallest(
    v.records.flatMap((r, i) =>
      !v.lines[i].filter && !isSampled(v.keys[i], thresholds[v.labels[i]])
        ? [auditKey(r.hash, spec.recipe.seed)]
        : [],
    ),
    state.ic!.audit ?? 0,
  );
  const ok = picked.flatMap((i, j) => (Number.isFinite(values[j]) ? [[i, values[j]] as const] : []));
  const features = icFeatures(spec);
  const m = ok.length > 0 ? await clusterVectors(store, spec, info.shard) : undefined;
  const dim = m?.dim ?? 1;
  const sample: SampleSet = {
    dim,
    vecs: new Float32Array(ok.length * dim),
    scores: new Float64Array(ok.map(([, s]) => s)),
    cluster: new Int32Array(ok.map(([i]) => v.labels[i])),
    features: new Float64Array(ok.length * features.length),
    f: features.length,
  };
  ok.forEach(([i], j) => {
    sample.vecs.set(unitRow(m!.data.subarray(i * dim, (i + 1) * dim)), j * dim);
    features.forEach((name, q) => {
      sample.features![j * features.length + q] = finite(v.lines[i].scores[name]);
    });
  });
  await store.put(icShardSampleKey(spec.id, info.shard), encodeSampleSet(sample));
  await store.put(icMeasuredKey(spec.id, info.shard), JSON.stringify(ok.map(([i, s]) => [i, s])));
  return {
    records: v.records.length,
    sampled: ok.length,
    failed: picked.length - ok.length,
    computed,
    perRecord,
    requests,
    seconds,
    audit,
  };
}

/**
 * In-context step 4, one shard: the audit. Unsampled candidates whose audit key is under the
 * threshold get the expensive score too (the model's calls are paid here), and each goes to the
 * agreement with its estimate; their measured values then stand in for their estimates, like the
 * sample's.
 */
export async function icAudit(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  state: SelectState,
  deps: ScoreDeps,
): Promise<IcAuditResult> {
  const v = await view(store, spec, info);
  const { thresholds, auditThreshold = -1 } = state.ic!;
  const picked = v.records.flatMap((r, i) =>
    !v.lines[i].filter &&
    !isSampled(v.keys[i], thresholds[v.labels[i]]) &&
    auditKey(r.hash, spec.recipe.seed) <= auditThreshold
      ? [i]
      : [],
  );
  const { values, computed, requests, seconds } = await fullScores(store, spec, v, picked, deps);
  const ok = picked.flatMap((i, j) => (Number.isFinite(values[j]) ? [[i, values[j]] as const] : []));
  const est = ok.length > 0 ? await estimator(store, spec, info.shard) : undefined;
  const pairs = ok.map(([i, full]) => [est!(i, v.lines[i]), full] as [number, number]);
  await store.put(icAuditKey(spec.id, info.shard), JSON.stringify(ok.map(([i, s]) => [i, s])));
  return {
    records: v.records.length,
    audited: picked.length,
    failed: picked.length - ok.length,
    computed,
    requests,
    seconds,
    pairs,
  };
}

/** In-context step 3, one task: every shard's sample joined, and the estimator fitted on it. */
export async function icFit(store: BlobStore, spec: JobSpec, shards: number, state: SelectState) {
  const parts: SampleSet[] = [];
  for (let s = 0; s < shards; s++) {
    const bytes = await store.get(icShardSampleKey(spec.id, s));
    if (!bytes) throw new Error(`in-context sample of shard ${s} is missing`);
    parts.push(decodeSampleSet(bytes));
  }
  const sample = joinSamples(parts);
  const ic = spec.recipe.select.incontext!;
  const model = fitEstimator(sample, state.k, {
    ridge: ic.ridge,
    clusterPrior: ic.clusterPrior,
    neighbours: ic.neighbours,
  });
  await store.put(icSampleKey(spec.id), encodeSampleSet(sample));
  await store.put(icModelKey(spec.id), encodeEstimateModel(model));
  return { sampled: sample.scores.length };
}

function joinSamples(parts: SampleSet[]): SampleSet {
  const withRows = parts.filter((p) => p.scores.length > 0);
  const dim = withRows[0]?.dim ?? 1;
  const f = parts[0]?.f ?? 0;
  const n = withRows.reduce((a, p) => a + p.scores.length, 0);
  const out: SampleSet = {
    dim,
    vecs: new Float32Array(n * dim),
    scores: new Float64Array(n),
    cluster: new Int32Array(n),
    features: new Float64Array(n * f),
    f,
  };
  let at = 0;
  for (const p of withRows) {
    const m = p.scores.length;
    out.vecs.set(p.vecs, at * dim);
    out.scores.set(p.scores, at);
    out.cluster.set(p.cluster, at);
    if (f > 0) out.features!.set(p.features!, at * f);
    at += m;
  }
  return out;
}

/**
 * The estimator of one shard's records, loaded once: the estimate of record i from its cluster, its
 * vector and its cheap scores (NaN when the sample is empty).
 */
async function estimator(
  store: BlobStore,
  spec: JobSpec,
  shard: number,
): Promise<(i: number, line: ScoredLine) => number> {
  const mb = await store.get(icModelKey(spec.id));
  const sb = await store.get(icSampleKey(spec.id));
  if (!mb || !sb) throw new Error('the in-context estimator is missing');
  const model = decodeEstimateModel(mb);
  const sample = decodeSampleSet(sb);
  if (sample.scores.length === 0) return () => Number.NaN;
  const labels = (await readAssignment(store, spec.id, shard))?.labels ?? [];
  const m = await clusterVectors(store, spec, shard);
  const features = icFeatures(spec);
  const x = new Float64Array(features.length);
  return (i, line) => {
    features.forEach((name, q) => {
      x[q] = finite(line.scores[name]);
    });
    return estimate(model, sample, unitRow(m.data.subarray(i * m.dim, (i + 1) * m.dim)), labels[i], x);
  };
}

/**
 * Every candidate's in-context value, for the prepare step: measured for the sampled and the audited,
 * estimated for the rest; NaN for a record a filter rejected. Also whether each was measured.
 */
export async function icEstimates(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  lines: readonly ScoredLine[],
): Promise<{ values: Float64Array; measured: Uint8Array }> {
  const n = lines.length;
  const values = new Float64Array(n).fill(Number.NaN);
  const measured = new Uint8Array(n);
  const known = new Map([
    ...((await getJson<[number, number][]>(store, icMeasuredKey(spec.id, info.shard))) ?? []),
    ...((await getJson<[number, number][]>(store, icAuditKey(spec.id, info.shard))) ?? []),
  ]);
  const need = lines.some((l, i) => !l.filter && !known.has(i));
  const est = need ? await estimator(store, spec, info.shard) : undefined;
  lines.forEach((line, i) => {
    if (line.filter) return;
    const got = known.get(i);
    if (got !== undefined) {
      values[i] = got;
      measured[i] = 1;
      return;
    }
    values[i] = est!(i, line);
  });
  return { values, measured };
}

function finite(v: number | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
