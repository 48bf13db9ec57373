import type { ShardRecord, Source } from '../../../../schemas/record.ts';
import type { ModelUsage, ProviderSet } from '../../../providers/types.ts';

export type { ModelUsage } from '../../../providers/types.ts';

import {
  accumulateStats,
  type CellCache,
  mergeRows,
  type ResolvedScorer,
  resolveScorers,
  type ScoreInput,
  type ScoreRow,
  type ScoreStat,
  scoreColumn,
  scorerColumn,
} from '../../../score/index.ts';
import { filterReason, resolveFilters } from '../../../select/index.ts';
import { toJsonl } from '../../jsonl.ts';
import { shardKey } from '../../keys.ts';
import { readShardRecords, scoreInput } from '../../shard-records.ts';
import { globalSource } from '../../source.ts';
import type { BlobStore } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import type { ModelRef } from '../fit/fit.ts';
import { ShardCells } from './cell-objects.ts';

/** One line of a shard's scores file, in the order of its records file. */
export interface ScoredLine {
  id: string;
  hash: string;
  source: Source;
  scores: Record<string, number>;
  flags?: string[];
  note?: string;
  /** Set when a recipe filter rejects the record: the reason (`filter:<scorer>`, `identity`). */
  filter?: string;
}

export interface CellCounts {
  /** Cells (distinct content hashes) computed by the scorer in this task. */
  computed: number;
  /** Cells served from the dataset's cell cache. */
  cached: number;
  seconds: number;
}

export interface ScoreTally {
  records: number;
  stats: Record<string, ScoreStat>;
  filtered: number;
  filteredByReason: Record<string, number>;
  byScorer: Record<string, CellCounts>;
  /** Model endpoint usage of this task (zeros without model-backed scorers). */
  model: ModelUsage;
  /** Partials of dataset-wide outputs (Scorer.dataset), by scorer id; merged at the barrier. */
  partials: Record<string, unknown>;
}

export interface ScoreOptions {
  /** Fitted models of learning scorers, by scorer id (from the fit stage). */
  models?: Record<string, ModelRef>;
  cells?: CellCache;
  providers?: ProviderSet;
}

const BATCH = 256;

/** Run the recipe's scorers over one shard: cached cells are reused, the rest computed and cached. */
export async function score(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  opts: ScoreOptions = {},
): Promise<ScoreTally> {
  const scorers = resolveScorers(spec.recipe.scorers);
  // The input rows only when a scorer reads them (none of the built-in ones does).
  const rows = scorers.some((s) => s.scorer.readsRecord);
  const records = await readShardRecords(store, spec.id, info, { rows });
  const writers = scorers.map((s) => ({ id: s.scorer.id, outputs: s.scorer.outputs }));
  const { filters } = resolveFilters(spec.recipe.select.filters, writers);
  const cells = spec.recipe.cache ? opts.cells : undefined;
  const byScorer: Record<string, CellCounts> = {};
  const columns: Map<string, ScoreRow>[] = [];
  const unique = distinct(records);
  const shard =
    cells && unique.size ? new ShardCells(store, spec.dataset, cells, [...unique.keys()]) : undefined;
  for (const ref of scorers) {
    const t0 = Date.now();
    const modelRef = opts.models?.[ref.scorer.id];
    const model = modelRef ? await loadModel(store, ref, modelRef) : undefined;
    const ctx = { seed: spec.recipe.seed, model, providers: opts.providers };
    const column = scorerColumn(ref, modelRef?.hash);
    const { rows, computed, cached } =
      shard && ref.scorer.kind === 'offline'
        ? await scoreShard(unique, ref, ctx, shard, column)
        : await scoreCached(records, ref, ctx, cells, column);
    columns.push(rows);
    byScorer[ref.scorer.id] = { computed, cached, seconds: (Date.now() - t0) / 1000 };
  }
  await shard?.finish();
  const stats: Record<string, ScoreStat> = {};
  const filteredByReason: Record<string, number> = {};
  let filtered = 0;
  const parts: (ScoreRow | undefined)[] = new Array(columns.length);
  const lines = records.map((r): ScoredLine => {
    for (let k = 0; k < columns.length; k++) parts[k] = columns[k].get(r.hash);
    const row = mergeRows(parts);
    accumulateStats(stats, row.scores);
    const reason = filterReason(row.scores, filters);
    if (reason) {
      filtered++;
      filteredByReason[reason] = (filteredByReason[reason] ?? 0) + 1;
    }
    return {
      id: r.id,
      hash: r.hash,
      source: globalSource(info, r.local, r.localLine),
      scores: row.scores,
      ...(row.flags?.length ? { flags: row.flags } : {}),
      ...(row.note ? { note: row.note } : {}),
      ...(reason ? { filter: reason } : {}),
    };
  });
  await store.put(shardKey(spec.id, info.shard, 'scores.jsonl'), toJsonl(lines));
  const model = opts.providers?.usage() ?? { requests: 0, cached: 0, failed: 0 };
  const partials: Record<string, unknown> = {};
  scorers.forEach(({ scorer, config }, k) => {
    if (!scorer.dataset || scorer.dataset.names(config).length === 0) return;
    const rows = records.map((r) => columns[k].get(r.hash)!);
    partials[scorer.id] = scorer.dataset.partial(rows, config);
  });
  return { records: lines.length, stats, filtered, filteredByReason, byScorer, model, partials };
}

type Ctx = Parameters<typeof scoreColumn>[2];
interface Column {
  rows: Map<string, ScoreRow>;
  computed: number;
  cached: number;
}

/** The shard's records by content hash, first occurrence first. */
function distinct(records: readonly ShardRecord[]): Map<string, ShardRecord> {
  const unique = new Map<string, ShardRecord>();
  for (const r of records) if (!unique.has(r.hash)) unique.set(r.hash, r);
  return unique;
}

/** Rows for `unique` records not in `rows` yet, computed in batches; added to `rows`, returned apart. */
async function computeMissing(
  unique: ReadonlyMap<string, ShardRecord>,
  rows: Map<string, ScoreRow>,
  ref: ResolvedScorer,
  ctx: Ctx,
): Promise<[string, ScoreRow][]> {
  const todo: ScoreInput[] = [];
  for (const [hash, r] of unique) if (!rows.has(hash)) todo.push(scoreInput(r));
  const fresh: [string, ScoreRow][] = [];
  for (let i = 0; i < todo.length; i += BATCH) {
    const batch = todo.slice(i, i + BATCH);
    const out = await scoreColumn(batch, ref, ctx);
    out.forEach((row, j) => {
      rows.set(batch[j].hash, row);
      fresh.push([batch[j].hash, row]);
    });
  }
  return fresh;
}

/**
 * An offline scorer's rows through the shard's cell objects: one read when the shard was scored
 * before; otherwise what earlier shards hold, the rest computed, and the shard's object written.
 */
async function scoreShard(
  unique: ReadonlyMap<string, ShardRecord>,
  ref: ResolvedScorer,
  ctx: Ctx,
  shard: ShardCells,
  column: string,
): Promise<Column> {
  const { rows, whole } = await shard.read(column);
  if (whole) return { rows, computed: 0, cached: rows.size };
  const cached = rows.size;
  const fresh = await computeMissing(unique, rows, ref, ctx);
  await shard.write(column, rows);
  return { rows, computed: fresh.length, cached };
}

/** One scorer's rows by content hash, cell by cell: from the cache where present, computed otherwise. */
export async function scoreCached(
  records: readonly ShardRecord[],
  ref: ResolvedScorer,
  ctx: Ctx,
  cells: CellCache | undefined,
  column: string,
): Promise<Column> {
  const unique = distinct(records);
  const rows = cells ? await cells.get(column, [...unique.keys()]) : new Map<string, ScoreRow>();
  const cached = rows.size;
  const fresh = await computeMissing(unique, rows, ref, ctx);
  if (cells && fresh.length > 0) await cells.put(column, fresh);
  return { rows, computed: fresh.length, cached };
}

/** Decoded models, per isolate: a score task on a warm isolate skips the download and decode. */
const decoded = new Map<string, unknown>();
const DECODED_MAX = 8;

export async function loadModel(
  store: BlobStore,
  { scorer }: ResolvedScorer,
  ref: ModelRef,
): Promise<unknown> {
  const id = `${ref.key}#${ref.hash}`;
  if (decoded.has(id)) return decoded.get(id);
  const bytes = await store.get(ref.key);
  if (!bytes) throw new Error(`the fitted model of "${scorer.id}" is missing at ${ref.key}`);
  const model = scorer.decodeModel ? scorer.decodeModel(bytes) : JSON.parse(new TextDecoder().decode(bytes));
  if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value as string);
  decoded.set(id, model);
  return model;
}
