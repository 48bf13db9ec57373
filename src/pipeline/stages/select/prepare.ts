import type { Recipe } from '../../../../schemas/recipe.ts';
import {
  DEDUP_THRESHOLD,
  decodeEdges,
  decodeEntries,
  dedupColumns,
  dedupText,
  encodeEdges,
  encodeLosers,
  hash64,
  hash64Codes,
  losersInRange,
  MINHASH_DEFAULTS,
  type MinHashParams,
  minhashInto,
  normalCodes,
  packedIndexLength,
  packedSpan,
  packPartitions,
  partitionColumns,
  reducePartition,
  resolveDuplicates,
} from '../../../select/dedup/index.ts';
import {
  alreadyKept,
  type Cut,
  matchBits,
  phaseValues,
  ROUND_ZERO,
  type RoundSpec,
  rankValue,
  reserveNeedsRows,
  type ShardSummary,
  selectMask,
  summarize,
} from '../../../select/index.ts';
import { inParallel } from '../../in-parallel.ts';
import { fromJsonl } from '../../jsonl.ts';
import { dedupEdgesKey, dedupLosersKey, dedupMapKey, type ShardFile, shardKey } from '../../keys.ts';
import { readShardRecords } from '../../shard-records.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import type { ScoredLine } from '../score/score.ts';
import { encodeIds } from './files.ts';
import { icEstimates, icScorer } from './incontext.ts';
import type { PhaseOpening } from './phases.ts';
import type { DedupReduceResult, DedupResolveResult, PrepareResult, SelectState } from './plan.ts';
import { lexicalDedup } from './plan.ts';

/** The MinHash parameters a recipe's near dedup runs with (`bands: 0` when it is off). */
export function minhashParams(recipe: Recipe): MinHashParams {
  const { dedup } = recipe.select;
  const near = dedup ? dedup.near : false;
  if (near === false) return { ...MINHASH_DEFAULTS, bands: 0 };
  return { ...MINHASH_DEFAULTS, ...(near.shingle !== undefined ? { shingle: near.shingle } : {}) };
}

export function nearThreshold(recipe: Recipe): number {
  const { dedup } = recipe.select;
  return (dedup && dedup.near !== false && dedup.near.threshold) || DEDUP_THRESHOLD;
}

/**
 * Select step 1, one shard: every record's rank value (-1 for a record a filter rejected) and its id,
 * stored beside the shard; with dedup on, each candidate's exact key and MinHash bands go to the
 * band-key partitions. A record's node is its global input index.
 */
export async function selectPrepare(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  state: SelectState,
  stats: Record<string, { min: number; max: number }>,
): Promise<PrepareResult> {
  const reserves = spec.recipe.select.reserve;
  const records = await readShardRecords(store, spec.id, info, { rows: reserveNeedsRows(reserves) });
  const lines = fromJsonl<ScoredLine>(await getText(store, shardKey(spec.id, info.shard, 'scores.jsonl')));
  if (lines.length !== records.length)
    throw new Error(`shard ${info.shard}: ${records.length} records but ${lines.length} score lines`);
  const ranks = new Float64Array(lines.length);
  const ic = spec.recipe.select.incontext ? await inContext(store, spec, info, lines) : undefined;
  const match = reserves ? new Uint8Array(lines.length) : undefined;
  let candidates = 0;
  lines.forEach((line, i) => {
    const scores = ic ? { ...line.scores, [ic.name]: ic.values[i] } : line.scores;
    ranks[i] = line.filter ? -1 : rankValue(scores, spec.recipe.select.rank, stats);
    if (!line.filter) candidates++;
    if (match && reserves && !line.filter)
      match[i] = matchBits(reserves, { scores, flags: line.flags, row: records[i].record });
  });
  await store.put(shardKey(spec.id, info.shard, 'rank.f64'), new Uint8Array(ranks.buffer));
  if (match) await store.put(shardKey(spec.id, info.shard, 'match.u8'), match);
  await store.put(shardKey(spec.id, info.shard, 'ids.bin'), encodeIds(records.map((r) => r.id)));
  let lengths: number[] | undefined;
  if (lexicalDedup(spec.recipe)) {
    const { dedup } = spec.recipe.select;
    const exact = dedup !== false && dedup.exact;
    const params = minhashParams(spec.recipe);
    // Near dedup off: bands = 0 (no band entries), and a zero sketch nothing reads.
    const c = dedupColumns(candidates, params);
    let k = 0;
    records.forEach((r, i) => {
      if (ranks[i] < 0) return;
      const node = info.indexOffset + i;
      // exactNormal and nearNormal of the text, in one pass (the same keys as from the strings)
      const t = normalCodes(dedupText(r.turns));
      // Exact dedup off: a key no other record has.
      const [hi, lo] = exact ? hash64Codes(t.exact, t.exactLength) : hash64(`\u0000node:${node}`);
      c.node[k] = node;
      c.rank[k] = ranks[i];
      c.exact[2 * k] = hi;
      c.exact[2 * k + 1] = lo;
      if (params.bands > 0)
        minhashInto(t.near, t.nearLength, params, c.bands, 2 * params.bands * k, c.sketch, params.sketch * k);
      k++;
    });
    c.count = k;
    // One object per shard: on a local stack, 64 puts a shard cost ~0.12 s more than the work.
    const parts = partitionColumns(c, state.partitions, params);
    await store.put(dedupMapKey(spec.id, info.shard), packPartitions(parts));
    lengths = parts.map((p) => p.byteLength);
  }
  return {
    records: records.length,
    candidates,
    ...(lengths ? { parts: lengths } : {}),
  };
}

/**
 * The in-context values of a shard's records, stored beside it for export (values, then 1 where
 * measured). The estimate's agreement is measured before, on the audit (ic-audit).
 */
async function inContext(store: BlobStore, spec: JobSpec, info: ShardInfo, lines: readonly ScoredLine[]) {
  const { estimate } = icScorer(spec);
  const { values, measured } = await icEstimates(store, spec, info, lines);
  const file = new Float64Array(2 * values.length);
  file.set(values);
  measured.forEach((m, i) => {
    file[values.length + i] = m;
  });
  await store.put(shardKey(spec.id, info.shard, 'estimate.f64'), new Uint8Array(file.buffer));
  return { name: estimate, values };
}

/**
 * Dedup reduce, one band partition of `partitions`: its entries from every shard, grouped by key and
 * verified. The part of each shard's packed object is one range read when `spans` (per shard its
 * offset and length, from prepare's results) are given, else two (the object's index, then the part);
 * six shards at a time.
 */
export async function dedupReduce(
  store: BlobStore,
  spec: JobSpec,
  partition: number,
  partitions: number,
  shards: number,
  spans?: readonly number[],
): Promise<DedupReduceResult> {
  const files = await inParallel(shards, async (s) => {
    const key = dedupMapKey(spec.id, s);
    const read = async (offset: number, length: number) => {
      try {
        return await store.range(key, offset, length);
      } catch (e) {
        throw new Error(`dedup partitions of shard ${s} are missing`, { cause: e });
      }
    };
    const { offset, length } = spans
      ? { offset: spans[2 * s], length: spans[2 * s + 1] }
      : packedSpan(await read(0, packedIndexLength(partitions)), partitions, partition);
    return decodeEntries(await read(offset, length));
  });
  const { edges, buckets, compared } = reducePartition(files, { threshold: nearThreshold(spec.recipe) });
  await store.put(dedupEdgesKey(spec.id, partition), encodeEdges(edges));
  return { edges: edges.count, buckets, compared };
}

/**
 * Dedup resolve, one task: every partition's edges into groups; all but the best of each lose. The
 * losers are written per shard (`starts`: every shard's first global index), each shard's scatter
 * reads its own (one file of all of them was 0.7 MB read 101 times at 1M).
 */
export async function dedupResolve(
  store: BlobStore,
  spec: JobSpec,
  partitions: number,
  starts: readonly number[],
): Promise<DedupResolveResult> {
  const sets = await inParallel(partitions, async (p) => {
    const bytes = await store.get(dedupEdgesKey(spec.id, p));
    if (!bytes) throw new Error(`dedup edges of partition ${p} are missing`);
    return decodeEdges(bytes);
  });
  const losers = resolveDuplicates(sets);
  await inParallel(starts.length, (s) => {
    const to = s + 1 < starts.length ? starts[s + 1] : Number.POSITIVE_INFINITY;
    return store.put(dedupLosersKey(spec.id, s), encodeLosers(losersInRange(losers, starts[s], to)));
  });
  let duplicate = 0;
  for (let i = 0; i < losers.count; i++) if (losers.reason[i] === 0) duplicate++;
  return { duplicate, near_duplicate: losers.count - duplicate };
}

/**
 * A later round of a global top-k over the shard's values: those of reserve `phase`, or (no phase, or
 * past the last reserve) the priority values the rest of the budget is cut on.
 */
export async function selectRound(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  round: RoundSpec,
  phase?: number,
): Promise<{ records: number; summary: ShardSummary }> {
  const reserves = spec.recipe.select.reserve?.length ?? 0;
  const values =
    reserves === 0
      ? await readValues(store, spec.id, info.shard, 'priority.f64')
      : phase !== undefined && phase < reserves
        ? (await reserveFiles(store, spec.id, info.shard, phase)).values(phase)
        : await restValues(
            store,
            spec.id,
            info.shard,
            (await reserveFiles(store, spec.id, info.shard, reserves)).reserved,
          );
  return { records: values.length, summary: summarize(values, round) };
}

/**
 * A shard's rank values, its candidates' reserve matches, and the reserves among the first `spent`
 * that took each record (`reserved.<spent - 1>.u8`; none for 0).
 */
async function reserveFiles(store: BlobStore, job: string, shard: number, spent: number) {
  const ranks = await readValues(store, job, shard, 'rank.f64');
  const n = ranks.length;
  const eligible = await readBytes(store, job, shard, 'reserve.u8', n);
  const reserved =
    spent > 0
      ? (await readBytes(store, job, shard, `reserved.${spent - 1}.u8`, n)).slice()
      : new Uint8Array(n);
  return {
    ranks,
    eligible,
    reserved,
    values: (phase: number) => phaseValues(ranks, eligible, reserved, phase),
  };
}

export async function readBytes(store: BlobStore, job: string, shard: number, file: ShardFile, n: number) {
  const bytes = await store.get(shardKey(job, shard, file));
  if (!bytes || bytes.length !== n)
    throw new Error(`${file} of shard ${shard} is missing or does not match its ${n} records`);
  return bytes;
}

/** The values the rest of the budget is cut on: the priority values, -1 for every reserved record. */
async function restValues(store: BlobStore, job: string, shard: number, reserved: Uint8Array) {
  const priority = await readValues(store, job, shard, 'priority.f64');
  for (let i = 0; i < priority.length; i++) if (reserved[i] !== 0) priority[i] = -1;
  return priority;
}

/** A shard's opening of a top-k phase over `values` (-1: not a candidate of the phase). */
export function opening(values: Float64Array, have: number): PhaseOpening {
  let candidates = 0;
  for (let i = 0; i < values.length; i++) if (values[i] >= 0) candidates++;
  return { records: values.length, summary: summarize(values, ROUND_ZERO), candidates, have };
}

/**
 * Reserve `phase` found its cut: the shard marks the records it takes (`reserved.<phase>.u8`: every
 * reserve's so far), then opens the next phase: the next reserve, or, after the last, the rest of the
 * budget, cut on the priority values with every reserved record taken out (export selects those by
 * the last reserved file).
 */
export async function selectReserve(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  phase: number,
  cut: Cut,
): Promise<PhaseOpening> {
  const reserves = spec.recipe.select.reserve?.length ?? 0;
  const f = await reserveFiles(store, spec.id, info.shard, phase);
  const mask = selectMask(f.values(phase), cut, info.shard);
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) f.reserved[i] = phase + 1;
  await store.put(shardKey(spec.id, info.shard, `reserved.${phase}.u8`), f.reserved);
  const next = phase + 1;
  if (next < reserves) return opening(f.values(next), alreadyKept(f.eligible, f.reserved, next));
  let taken = 0;
  for (let i = 0; i < f.reserved.length; i++) if (f.reserved[i] !== 0) taken++;
  return opening(await restValues(store, spec.id, info.shard, f.reserved), taken);
}

/**
 * For export: the records of a shard a reserve took (non-zero) and each candidate's reserve matches
 * (bits); all 0 when the recipe has no reserve.
 */
export async function readReserved(
  store: BlobStore,
  spec: JobSpec,
  shard: number,
  n: number,
): Promise<{ reserved: Uint8Array; eligible: Uint8Array }> {
  const reserves = spec.recipe.select.reserve?.length ?? 0;
  if (reserves === 0 || n === 0) return { reserved: new Uint8Array(n), eligible: new Uint8Array(n) };
  return {
    reserved: await readBytes(store, spec.id, shard, `reserved.${reserves - 1}.u8`, n),
    eligible: await readBytes(store, spec.id, shard, 'reserve.u8', n),
  };
}

export async function readValues(
  store: BlobStore,
  job: string,
  shard: number,
  file: 'rank.f64' | 'priority.f64' | 'estimate.f64',
): Promise<Float64Array> {
  const bytes = await store.get(shardKey(job, shard, file));
  if (!bytes) throw new Error(`${file} of shard ${shard} is missing`);
  // Copy into an aligned buffer: a view into a larger buffer may start at an odd offset.
  return new Float64Array(bytes.slice().buffer);
}
