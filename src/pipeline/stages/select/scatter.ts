import { DUP_REASONS } from '../../../select/dedup/index.ts';
import { phaseValues, ROUND_ZERO, summarize } from '../../../select/index.ts';
import { groupFateKey, shardKey } from '../../keys.ts';
import { type BlobStore, getJson } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import { decodeFates, fateReasons, idAt, shardOf } from './files.ts';
import { shardLosers } from './groups.ts';
import { needsGroups, type ScatterResult, type SelectState } from './plan.ts';
import { opening, readBytes, readValues } from './prepare.ts';

/**
 * Why a candidate left before the budget, by local index: `[index, reason, of, similarity?]` where
 * `of` is the id of the record kept instead (the duplicate group's survivor, or the kept record it
 * is too similar to).
 */
export type FateEntry = [index: number, reason: string, of: string, similarity?: number];

/**
 * Scatter, one shard: its records' dedup and strategy verdicts gathered, the values the budget is
 * cut on written as `priority.f64` (-1: no candidate), and round 0 of the top-k answered.
 */
export async function selectScatter(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  state: SelectState,
  starts: readonly number[],
): Promise<ScatterResult> {
  const ranks = await readValues(store, spec.id, info.shard, 'rank.f64');
  const n = ranks.length;
  const reserves = spec.recipe.select.reserve;
  const priority = new Float64Array(n).fill(-1);
  const pending: { i: number; reason: string; of: number; sim?: number }[] = [];
  const losers = await shardLosers(store, spec, info, n);
  for (let j = 0; j < losers.count; j++) {
    pending.push({
      i: losers.node[j] - info.indexOffset,
      reason: DUP_REASONS[losers.reason[j]],
      of: losers.keep[j],
    });
  }
  if (needsGroups(spec.recipe)) {
    const reasons = fateReasons();
    const quotas = state.step.kind === 'scatter' ? state.step.quotas : undefined;
    for (let g = 0; g < state.groups; g++) {
      const bytes = await store.get(groupFateKey(spec.id, g, info.shard));
      if (!bytes) continue;
      const f = decodeFates(bytes);
      for (let j = 0; j < f.count; j++) {
        const i = f.node[j] - info.indexOffset;
        if (f.code[j] !== 0) {
          pending.push({ i, reason: reasons[f.code[j]], of: f.by[j], sim: round4(f.sim[j]) });
        } else if (quotas) {
          // A quota strategy: priority is the position in the cluster; inside the quota is a candidate.
          // With reserves, the records they take leave the quotas' records over the budget: those of
          // the lowest rank give way (rank, not 1, so the cut orders them).
          priority[i] = f.priority[j] < quotas[f.cluster[j]] ? (reserves ? ranks[i] : 1) : -1;
        } else priority[i] = f.priority[j];
      }
    }
  } else {
    const lost = new Set(pending.map((p) => p.i));
    for (let i = 0; i < n; i++) if (ranks[i] >= 0 && !lost.has(i)) priority[i] = ranks[i];
  }
  const ids = await idsOf(
    store,
    spec.id,
    starts,
    pending.map((p) => p.of),
  );
  const fate: FateEntry[] = pending
    .sort((a, b) => a.i - b.i)
    .map((p) =>
      p.sim === undefined ? [p.i, p.reason, ids.get(p.of)!] : [p.i, p.reason, ids.get(p.of)!, p.sim],
    );
  await store.put(shardKey(spec.id, info.shard, 'priority.f64'), new Uint8Array(priority.buffer));
  await store.put(shardKey(spec.id, info.shard, 'fate.json'), JSON.stringify(fate));
  let candidates = 0;
  for (let i = 0; i < n; i++) if (priority[i] >= 0) candidates++;
  if (!reserves) return { records: n, candidates, summary: summarize(priority, ROUND_ZERO) };
  // Reserves: a candidate's matches (a filter, dedup or the strategy's refusal rules a record out),
  // then round 0 of the first reserve instead of the priority values'.
  const eligible = (await readBytes(store, spec.id, info.shard, 'match.u8', n)).slice();
  for (const p of pending) eligible[p.i] = 0;
  const matched = reserves.map((_, r) => {
    let m = 0;
    for (let i = 0; i < n; i++) if ((eligible[i] & (1 << r)) !== 0) m++;
    return m;
  });
  await store.put(shardKey(spec.id, info.shard, 'reserve.u8'), eligible);
  // Round 0 of reserve 0, from what is in hand: no reserve took anything yet.
  const first = opening(phaseValues(ranks, eligible, new Uint8Array(n), 0), 0);
  return {
    records: n,
    candidates,
    summary: first.summary,
    reserve: { matched, candidates: first.candidates },
  };
}

export async function readFate(
  store: BlobStore,
  job: string,
  shard: number,
): Promise<Map<number, FateEntry>> {
  const list = (await getJson<FateEntry[]>(store, shardKey(job, shard, 'fate.json'))) ?? [];
  return new Map(list.map((e) => [e[0], e]));
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Ids files read by earlier scatter tasks on the same store, most recent last, up to ID_FILES_BYTES a
 * store: every scatter task names the records its duplicates point to, anywhere in the dataset, so
 * each task read most shards' ids files again (40 KB each; 1.6 GB in all at 1M records). A shard's ids
 * file is written once by the prepare step (a retry writes the same bytes), so a copy never goes
 * stale within a job; keys name the job. Per store object: two stores never share a copy.
 */
const idFiles = new WeakMap<BlobStore, { files: Map<string, Uint8Array>; bytes: number }>();
/** 16 MiB: every id of 2M records (8 bytes each); a small share of a Worker's 128 MB, kept between tasks. */
const ID_FILES_BYTES = 16 * 1024 * 1024;

async function idFile(store: BlobStore, job: string, shard: number): Promise<Uint8Array> {
  let cache = idFiles.get(store);
  if (!cache) idFiles.set(store, (cache = { files: new Map(), bytes: 0 }));
  const key = shardKey(job, shard, 'ids.bin');
  const cached = cache.files.get(key);
  if (cached) {
    cache.files.delete(key);
    cache.files.set(key, cached);
    return cached;
  }
  const bytes = await store.get(key);
  if (!bytes) throw new Error(`record ids of shard ${shard} are missing`);
  cache.files.set(key, bytes);
  cache.bytes += bytes.byteLength;
  for (const [k, b] of cache.files) {
    if (cache.bytes <= ID_FILES_BYTES) break;
    cache.files.delete(k);
    cache.bytes -= b.byteLength;
  }
  return bytes;
}

/** Record ids of global indexes, read from the ids file of each shard they fall in. */
async function idsOf(
  store: BlobStore,
  job: string,
  starts: readonly number[],
  nodes: readonly number[],
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const byShard = new Map<number, number[]>();
  for (const node of nodes) {
    const s = shardOf(starts, node);
    const list = byShard.get(s) ?? [];
    list.push(node);
    byShard.set(s, list);
  }
  const files = await Promise.all([...byShard.keys()].map((s) => idFile(store, job, s)));
  let f = 0;
  for (const [s, list] of byShard) {
    const bytes = files[f++];
    // Only the ids needed: decoding a whole file per referenced shard made scatter O(shards × records).
    for (const node of list) out.set(node, idAt(bytes, node - starts[s]));
  }
  return out;
}
