import type { InvalidLine, OutputLine } from '../../../../schemas/output.ts';
import { resolveScorers } from '../../../score/index.ts';
import { DUP_REASONS } from '../../../select/dedup/index.ts';
import type { Cut } from '../../../select/index.ts';
import { selectMask } from '../../../select/index.ts';
import { strategyReasons } from '../../../select/strategies/index.ts';
import { utf8Length } from '../../../util/utf8-length.ts';
import { fromJsonl, toJsonl } from '../../jsonl.ts';
import { outputPartKey, type PartFile, shardKey } from '../../keys.ts';
import { readShardRecords } from '../../shard-records.ts';
import { globalSource } from '../../source.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import { readAssignment } from '../cluster/cluster.ts';
import type { ScoredLine } from '../score/score.ts';
import { icScorer } from '../select/incontext.ts';
import { readReserved, readValues } from '../select/prepare.ts';
import { readFate } from '../select/scatter.ts';
import { encodeShardMembers } from './diff.ts';

export interface ExportTally {
  selected: number;
  rejected: number;
  invalid: number;
  rejectedByReason: Record<string, number>;
  /** Bytes written per output file, for the output manifest (weights.jsonl is written later). */
  bytes: Record<Extract<PartFile, 'selected.jsonl' | 'rejected.jsonl' | 'invalid.jsonl'>, number>;
  /** Per cluster (when the recipe clusters): candidates the strategy saw, and those selected. */
  perCluster?: { available: number[]; selected: number[] };
  /** Per reserve (recipe `select.reserve`): selected records matching it. */
  reserveSelected?: number[];
  /** Per score: histograms over the dataset's [min, max] of every valid record and of the selection. */
  histograms: Record<string, { before: number[]; after: number[] }>;
}

/** What every shard's export applies: the global cut, dataset-wide partials, each score's [min, max]. */
export interface ExportInputs {
  cut: Cut;
  totals: Record<string, unknown>;
  stats: Record<string, { min: number; max: number }>;
}

/** Bins of the score histograms in the report. */
export const HIST_BINS = 20;

/** Reasons a record left before the budget: it was no longer available to the strategy. */
const unavailable = () => new Set([...DUP_REASONS, 'semantic_duplicate', ...strategyReasons()]);

/** The score weights.jsonl is built from: configured, else self-critique's multiplier when it runs, else quality. */
export function weightScore(spec: JobSpec): string {
  const configured = spec.recipe.select.weights.score;
  if (configured) return configured;
  return spec.recipe.scorers.some((s) => s.id === 'self_critique') ? 'lr_multiplier' : 'quality';
}

/** Apply the global cut to one shard and write its part of every output file. */
export async function exportShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  { cut, totals, stats }: ExportInputs,
): Promise<ExportTally> {
  const key = (file: Parameters<typeof shardKey>[2]) => shardKey(spec.id, info.shard, file);
  // The input rows stay as the text ingest stored (each row's JSON as given): spliced into the output
  // lines, not parsed and stringified again (a third of export's time at 1M records).
  const [records, rows] = await Promise.all([
    readShardRecords(store, spec.id, info, { rows: false }),
    getText(store, key('rows.jsonl')).then((t) => (t ? t.split('\n') : [])),
  ]);
  const scored = fromJsonl<ScoredLine>(await getText(store, key('scores.jsonl')));
  const invalid = fromJsonl<InvalidLine>(await getText(store, key('invalid.jsonl')));
  const some = records.length > 0;
  const ranks = some ? await readValues(store, spec.id, info.shard, 'rank.f64') : new Float64Array(0);
  const priority = some ? await readValues(store, spec.id, info.shard, 'priority.f64') : new Float64Array(0);
  if (
    (records.length > 0 && rows.length !== records.length + 1) ||
    scored.length !== records.length ||
    ranks.length !== records.length ||
    priority.length !== records.length
  ) {
    throw new Error(
      `shard ${info.shard}: ${records.length} records, ${Math.max(0, rows.length - 1)} rows, ${scored.length} scores, ${ranks.length} ranks, ${priority.length} priorities`,
    );
  }
  const fate = await readFate(store, spec.id, info.shard);
  const ic = spec.recipe.select.incontext && some ? await readEstimates(store, spec, info.shard) : undefined;
  const mask = selectMask(priority, cut, info.shard);
  // Records a reserve took are out of the priority values' cut (-1) and selected all the same.
  const { reserved, eligible } = await readReserved(store, spec, info.shard, records.length);
  for (let i = 0; i < mask.length; i++) if (reserved[i] !== 0) mask[i] = 1;
  const reserves = spec.recipe.select.reserve?.length ?? 0;
  const reserveSelected = reserves ? new Array<number>(reserves).fill(0) : undefined;
  /** Selected records a reserve took (members.bin flags them, so a later run's diff names the reserve). */
  const reservedIds = new Set<string>();
  const assigned = spec.recipe.cluster ? await readAssignment(store, spec.id, info.shard) : null;
  const datasetWide = resolveScorers(spec.recipe.scorers).filter(
    ({ scorer }) => scorer.dataset && scorer.id in totals,
  );
  const k = assigned ? Math.max(0, ...assigned.labels) + 1 : 0;
  const perCluster = assigned
    ? { available: new Array<number>(k).fill(0), selected: new Array<number>(k).fill(0) }
    : undefined;
  const hist = histograms(stats);
  const wscore = weightScore(spec);
  const weightSrc: [string, unknown, number][] = [];
  const selected: OutputLine[] = [];
  const rejected: OutputLine[] = [];
  /** Each output line's record: its row in `rows`. */
  const selectedRows: number[] = [];
  const rejectedRows: number[] = [];
  const UNAVAILABLE = unavailable();
  /** A strategy's refusals name the kept record they are too similar to; dedup's the one they duplicate. */
  const refusals = new Set(strategyReasons());
  const rejectedByReason: Record<string, number> = {};
  records.forEach((r, i) => {
    let scores = scored[i].scores;
    for (const { scorer, config } of datasetWide) {
      scores = { ...scores, ...scorer.dataset!.apply(scored[i], totals[scorer.id], config) };
    }
    if (ic && Number.isFinite(ic.values[i])) scores = { ...scores, [ic.name]: ic.values[i] };
    const flags = ic?.measured[i] ? [...(scored[i].flags ?? []), `${ic.output}_measured`] : scored[i].flags;
    const cluster = assigned ? assigned.labels[i] : undefined;
    const line: OutputLine = {
      id: r.id,
      hash: r.hash,
      source: scored[i].source,
      record: ROW,
      scores,
      rank: ranks[i],
      ...(cluster !== undefined ? { cluster } : {}),
      ...(assigned?.top ? { posteriors: assigned.top[i].map(([cluster, p]) => ({ cluster, p })) } : {}),
      ...(assigned?.density ? { logDensity: assigned.density[i] } : {}),
      ...(flags ? { flags } : {}),
      ...(scored[i].note ? { note: scored[i].note } : {}),
    };
    const filtered = scored[i].filter;
    const f = fate.get(i);
    const reason = filtered ?? f?.[1] ?? (mask[i] === 1 ? undefined : 'budget');
    if (perCluster && cluster !== undefined && !filtered && !UNAVAILABLE.has(reason ?? ''))
      perCluster.available[cluster]++;
    hist.add(scores, reason === undefined);
    if (reason === undefined) {
      selected.push(line);
      selectedRows.push(i);
      if (perCluster && cluster !== undefined) perCluster.selected[cluster]++;
      if (reserveSelected)
        for (let b = 0; b < reserveSelected.length; b++)
          if ((eligible[i] & (1 << b)) !== 0) reserveSelected[b]++;
      if (reserved[i] !== 0) reservedIds.add(r.id);
      weightSrc.push([r.id, line.source, scores[wscore] ?? Number.NaN]);
      return;
    }
    const why: OutputLine = { ...line, reason };
    if (f) {
      if (refusals.has(f[1])) why.similarTo = f[2];
      else why.duplicateOf = f[2];
      if (f[3] !== undefined) why.similarity = f[3];
    }
    rejected.push(why);
    rejectedRows.push(i);
    rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
  });
  const invalidOut = invalid.map((line) => ({
    ...line,
    source: globalSource(info, line.source.index ?? 0, line.source.line),
  }));
  const texts = {
    'selected.jsonl': outputJsonl(selected, selectedRows, rows),
    'rejected.jsonl': outputJsonl(rejected, rejectedRows, rows),
    'invalid.jsonl': toJsonl(invalidOut),
  };
  const bytes = {} as ExportTally['bytes'];
  for (const [file, text] of Object.entries(texts) as [keyof typeof texts, string][]) {
    // The text goes to the store as it is (the store encodes it once) and the store says its size;
    // counted in JavaScript only for a store that does not (5 s at 1M records in workerd).
    const size = await store.put(outputPartKey(spec.id, file, info.shard), text);
    bytes[file] = typeof size === 'number' ? size : utf8Length(text);
  }
  // Every valid record's outcome, sorted by id: a later run compares itself with this one (stages/diff.ts).
  await store.put(key('members.bin'), encodeShardMembers(spec, [...selected, ...rejected], reservedIds));
  await store.put(
    key('weights-src.json'),
    JSON.stringify(weightSrc.map(([id, src, v]) => [id, src, Number.isFinite(v) ? v : null])),
  );
  return {
    selected: selected.length,
    rejected: rejected.length,
    invalid: invalid.length,
    rejectedByReason,
    bytes,
    ...(perCluster ? { perCluster } : {}),
    ...(reserveSelected ? { reserveSelected } : {}),
    histograms: hist.done(),
  };
}

/** What an output line holds in `record` until its row's text takes its place (`outputJsonl`). */
const ROW = 0;
const ROW_FIELD = `"record":${ROW},"scores":`;

/**
 * Output lines as JSONL, each with its record's row text (`rows[at[i]]`, JSON as given) where the
 * line holds ROW: the same line as JSON.stringify with the parsed row in it, but for the row's own
 * spacing and number forms, which stay as the input had them.
 */
export function outputJsonl(
  lines: readonly OutputLine[],
  at: readonly number[],
  rows: readonly string[],
): string {
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const text = JSON.stringify(lines[i]);
    // `record` follows id, hash and source (hex digits and numbers): the first match is the line's own.
    const k = text.indexOf(ROW_FIELD);
    if (k < 0) throw new Error(`output line ${lines[i].id}: no record field to fill`);
    out += `${text.slice(0, k)}"record":${rows[at[i]]},"scores":${text.slice(k + ROW_FIELD.length)}\n`;
  }
  return out;
}

/** Fixed-width histograms of every score over the dataset's [min, max], for all records and the selected. */
function histograms(stats: Record<string, { min: number; max: number }>) {
  const bins: Record<string, { before: number[]; after: number[] }> = {};
  const ranges = Object.entries(stats).filter(([, s]) => Number.isFinite(s.min) && Number.isFinite(s.max));
  return {
    add(scores: Record<string, number>, selected: boolean): void {
      for (const [name, s] of ranges) {
        const v = scores[name];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        const h = (bins[name] ??= {
          before: new Array(HIST_BINS).fill(0),
          after: new Array(HIST_BINS).fill(0),
        });
        const at = s.max > s.min ? Math.floor(((v - s.min) / (s.max - s.min)) * HIST_BINS) : 0;
        const b = Math.min(HIST_BINS - 1, Math.max(0, at));
        h.before[b]++;
        if (selected) h.after[b]++;
      }
    },
    done: () => bins,
  };
}

/** The shards' tallies as one (counts added, per-cluster arrays and histogram bins added elementwise). */
export function mergeExportTallies(tallies: readonly ExportTally[]): ExportTally {
  const addInto = (a: number[], b: readonly number[]) => {
    for (let i = 0; i < b.length; i++) a[i] = (a[i] ?? 0) + b[i];
    return a;
  };
  const out: ExportTally = {
    selected: 0,
    rejected: 0,
    invalid: 0,
    rejectedByReason: {},
    bytes: { 'selected.jsonl': 0, 'rejected.jsonl': 0, 'invalid.jsonl': 0 },
    histograms: {},
  };
  for (const t of tallies) {
    out.selected += t.selected;
    out.rejected += t.rejected;
    out.invalid += t.invalid;
    for (const [r, n] of Object.entries(t.rejectedByReason))
      out.rejectedByReason[r] = (out.rejectedByReason[r] ?? 0) + n;
    for (const f of Object.keys(out.bytes) as (keyof ExportTally['bytes'])[]) out.bytes[f] += t.bytes[f];
    if (t.perCluster) {
      out.perCluster ??= { available: [], selected: [] };
      addInto(out.perCluster.available, t.perCluster.available);
      addInto(out.perCluster.selected, t.perCluster.selected);
    }
    if (t.reserveSelected) addInto((out.reserveSelected ??= []), t.reserveSelected);
    for (const [name, h] of Object.entries(t.histograms)) {
      const acc = (out.histograms[name] ??= {
        before: new Array(HIST_BINS).fill(0),
        after: new Array(HIST_BINS).fill(0),
      });
      addInto(acc.before, h.before);
      addInto(acc.after, h.after);
    }
  }
  return out;
}

/** The in-context values stored by the prepare step: measured or estimated, and which were measured. */
async function readEstimates(store: BlobStore, spec: JobSpec, shard: number) {
  const { output, estimate } = icScorer(spec);
  const all = await readValues(store, spec.id, shard, 'estimate.f64');
  const n = all.length / 2;
  return { name: estimate, output, values: all.subarray(0, n), measured: all.subarray(n) };
}
