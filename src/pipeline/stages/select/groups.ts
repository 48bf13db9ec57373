import { unitRow } from '../../../embed/normalize.ts';
import { decodeLosers, type Losers, losersInRange } from '../../../select/dedup/index.ts';
import {
  type ClusterMembers,
  decodeGroupEntries,
  type GroupItem,
  greedyCosineLsh,
  groupByCluster,
  partitionGroups,
  strategyOf,
} from '../../../select/strategies/index.ts';
import { dedupLosersKey, groupFateKey, groupPartKey } from '../../keys.ts';
import type { BlobStore } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import { readAssignment } from '../cluster/cluster.ts';
import { clusterVectors } from '../embed/embed.ts';
import { emptyFates, encodeFates, type Fates, fateReasons, shardOf } from './files.ts';
import {
  type GroupMapResult,
  type GroupReduceResult,
  lexicalDedup,
  type SelectState,
  semanticDedup,
} from './plan.ts';
import { readValues } from './prepare.ts';

/** The dedup losers of one shard (none when dedup is off). */
export async function shardLosers(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  n: number,
): Promise<Losers> {
  if (!lexicalDedup(spec.recipe))
    return { count: 0, node: new Uint32Array(0), keep: new Uint32Array(0), reason: new Uint8Array(0) };
  const bytes = await store.get(dedupLosersKey(spec.id, info.shard));
  if (!bytes) throw new Error(`dedup losers of shard ${info.shard} are missing`);
  return losersInRange(decodeLosers(bytes), info.indexOffset, info.indexOffset + n);
}

/**
 * Group map, one shard: each candidate that survived exact and near dedup goes, with its
 * L2-normalized vector, to the partition of its cluster (cluster 0 when the recipe does not cluster).
 */
export async function groupMap(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  state: SelectState,
): Promise<GroupMapResult> {
  const ranks = await readValues(store, spec.id, info.shard, 'rank.f64');
  const n = ranks.length;
  const losers = await shardLosers(store, spec, info, n);
  const lost = new Uint8Array(n);
  for (let j = 0; j < losers.count; j++) lost[losers.node[j] - info.indexOffset] = 1;
  const labels = spec.recipe.cluster ? (await readAssignment(store, spec.id, info.shard))?.labels : undefined;
  if (spec.recipe.cluster && labels?.length !== n)
    throw new Error(`shard ${info.shard}: cluster labels do not match its ${n} records`);
  const available = new Array<number>(state.k).fill(0);
  const items: GroupItem[] = [];
  const m =
    n > 0 ? await clusterVectors(store, spec, info.shard) : { data: new Float32Array(0), n: 0, dim: 1 };
  for (let i = 0; i < n; i++) {
    if (ranks[i] < 0 || lost[i]) continue;
    const cluster = labels ? labels[i] : 0;
    available[cluster]++;
    items.push({
      node: info.indexOffset + i,
      cluster,
      rank: ranks[i],
      vec: unitRow(m.data.subarray(i * m.dim, (i + 1) * m.dim)),
    });
  }
  const parts = partitionGroups(items, m.dim, state.groups);
  for (let g = 0; g < parts.length; g++) await store.put(groupPartKey(spec.id, g, info.shard), parts[g]);
  return { available };
}

/**
 * Group reduce, one cluster partition: per cluster, members in rank order run semantic dedup, then the
 * strategy; the verdicts go back per shard (`starts`: every shard's first global index).
 */
export async function groupReduce(
  store: BlobStore,
  spec: JobSpec,
  group: number,
  starts: readonly number[],
  target: number,
): Promise<GroupReduceResult> {
  const files = [];
  for (let s = 0; s < starts.length; s++) {
    const bytes = await store.get(groupPartKey(spec.id, group, s));
    if (!bytes) throw new Error(`group partition ${group} of shard ${s} is missing`);
    files.push(decodeGroupEntries(bytes));
  }
  const clusters = groupByCluster(files);
  const total = clusters.reduce((a, c) => a + c.node.length, 0);
  const fates = emptyFates(total);
  let at = 0;
  const result: GroupReduceResult = { clusters: [] };
  for (const c of clusters) {
    result.clusters.push(judgeCluster(spec, c, target, fates, at));
    at += c.node.length;
  }
  // Back to the shards the records came from: nodes ascend within no particular order, so bucket them.
  const byShard = new Map<number, number[]>();
  for (let i = 0; i < total; i++) {
    const s = shardOf(starts, fates.node[i]);
    let list = byShard.get(s);
    if (!list) byShard.set(s, (list = []));
    list.push(i);
  }
  for (const [s, idx] of byShard)
    await store.put(groupFateKey(spec.id, group, s), encodeFates(pick(fates, idx)));
  return result;
}

/**
 * Semantic dedup, then the strategy, over one cluster's members (rank order); verdicts go to fates[at…].
 * Semantic dedup (a high threshold) takes the banded walk on large clusters; the strategy decides the rest.
 */
function judgeCluster(spec: JobSpec, c: ClusterMembers, target: number, fates: Fates, at: number) {
  const n = c.node.length;
  const { dim } = c;
  const codes = new Map(fateReasons().map((r, code) => [r, code]));
  const refused: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    fates.node[at + i] = c.node[i];
    fates.cluster[at + i] = c.cluster;
    fates.priority[at + i] = c.rank[i];
  }
  const refuse = (member: number, reason: string, by: number, sim: number) => {
    const code = codes.get(reason);
    if (code === undefined) throw new Error(`select: "${reason}" is not a reason a strategy declared`);
    fates.code[at + member] = code;
    fates.by[at + member] = c.node[by];
    fates.sim[at + member] = sim;
    refused[reason] = (refused[reason] ?? 0) + 1;
  };
  let alive = Array.from({ length: n }, (_, i) => i);
  const sem = semanticDedup(spec.recipe);
  if (sem !== undefined) {
    const g = greedyCosineLsh(gather(c.vecs, dim, alive), dim, sem, { seed: spec.recipe.seed });
    const kept: number[] = [];
    alive.forEach((m, j) => {
      if (g.kept[j]) kept.push(m);
      else refuse(m, 'semantic_duplicate', alive[g.by[j]], g.sim[j]);
    });
    alive = kept;
  }
  const config = spec.recipe.select.strategy;
  const strategy = strategyOf(config);
  const judged = strategy.judge?.(
    {
      n: alive.length,
      dim,
      vecs: gather(c.vecs, dim, alive),
      rank: Float64Array.from(alive, (m) => c.rank[m]),
    },
    config,
    { target, seed: spec.recipe.seed },
  );
  const out = new Set<number>();
  for (const r of judged?.refused ?? []) {
    if (!strategy.reasons.includes(r.reason))
      throw new Error(`strategy "${strategy.id}" refused with "${r.reason}", which it does not declare`);
    refuse(alive[r.index], r.reason, alive[r.by], r.similarity);
    out.add(r.index);
  }
  const priority = judged?.priority;
  if (priority)
    alive.forEach((m, j) => {
      fates.priority[at + m] = priority[j];
    });
  return { cluster: c.cluster, available: alive.length - out.size, refused };
}

function gather(vecs: Float32Array, dim: number, members: readonly number[]): Float32Array {
  const out = new Float32Array(members.length * dim);
  members.forEach((m, j) => {
    out.set(vecs.subarray(m * dim, (m + 1) * dim), j * dim);
  });
  return out;
}

function pick(f: Fates, idx: readonly number[]): Fates {
  const out = emptyFates(idx.length);
  idx.forEach((i, j) => {
    out.node[j] = f.node[i];
    out.code[j] = f.code[i];
    out.cluster[j] = f.cluster[i];
    out.by[j] = f.by[i];
    out.sim[j] = f.sim[i];
    out.priority[j] = f.priority[i];
  });
  return out;
}
