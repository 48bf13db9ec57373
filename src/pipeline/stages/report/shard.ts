import type { InvalidLine, OutputLine } from '../../../../schemas/output.ts';
import type { ReportExample } from '../../../../schemas/report-data.ts';
import { outputPartKey, reportOriginalsKey, reportShardKey, shardKey } from '../../keys.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec, ShardInfo } from '../../types.ts';
import { shardEmbeddings } from '../embed/embed.ts';
import { decodeIds } from '../select/files.ts';
import { Bins, invalidKey, jsonlLines, keyUniform, REPORT_CAPS, Smallest, toExample } from './sample.ts';

/** A candidate of a group: its key (the record id, or an invalid line's position) and, for a duplicate, the id it points to. */
export type Candidate = [key: string, of?: string];

/** Groups: `selected`, `reason:<r>`, `cluster:<c>`, `invalid`. */
export type Groups = Record<string, Candidate[]>;

export interface HistCounts {
  selected: number[];
  rejected: number[];
}

/** What a shard reports: its candidates per group (the smallest keys of each, capped), and its bin counts. */
export interface ShardResult {
  records: number;
  groups: Groups;
  histograms: Record<string, HistCounts>;
  rank?: HistCounts & { filtered: number };
}

/** A shard's candidates, as written for the write step: examples by id, invalid lines by key, map vectors by id. */
export interface ShardCandidates {
  examples: Record<string, ReportExample>;
  invalid: Record<string, InvalidLine>;
  vectors: Record<string, number[]>;
}

export interface ShardInputs {
  /** Each score's [min, max] over the dataset (the score stage's ranges). */
  stats: Record<string, { min: number; max: number }>;
  /** Candidates per cluster: examples and map points. */
  perCluster: number;
  /** Of those, map points (0: no map). */
  mapPerCluster: number;
  /** Per group, the rate a key must fall under to be a candidate (absent: 1). */
  rates: Record<string, number>;
}

const round = (x: number) => Math.round(x * 1e5) / 1e5;

/**
 * One shard: read its parts of selected.jsonl, rejected.jsonl and invalid.jsonl (a pairs job: only
 * invalid.jsonl), bin every record's scores and rank, and keep the smallest keys of every group. The
 * candidates are written to the shard's own object; the result names them (keys only) so that the
 * barrier picks the global sample.
 */
export async function reportShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  inputs: ShardInputs,
): Promise<ShardResult> {
  const job = spec.id;
  const groups = new Map<string, Smallest<string | undefined>>();
  const group = (name: string, cap: number) => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = new Smallest(cap)));
    return g;
  };
  const examples = new Map<string, OutputLine>();
  const hist = new Map<string, Bins>();
  const ranges = Object.entries(inputs.stats).filter(
    ([, s]) => Number.isFinite(s.min) && Number.isFinite(s.max),
  );
  const rank = new Bins(0, 1);
  let filtered = 0;
  let records = 0;
  /** Every line's counts; the candidates kept as parsed lines until the groups are trimmed. */
  const see = (line: OutputLine) => {
    records++;
    const selected = line.reason === undefined;
    for (const [name, s] of ranges) {
      const v = line.scores[name];
      if (typeof v !== 'number') continue;
      let b = hist.get(name);
      if (!b) hist.set(name, (b = new Bins(s.min, s.max)));
      b.add(v, selected);
    }
    if (line.rank < 0) filtered++;
    else rank.add(line.rank, selected);
    const of = line.duplicateOf ?? line.similarTo;
    let wanted = false;
    const u = keyUniform(line.id);
    const offer = (name: string, cap: number) => {
      if (u < (inputs.rates[name] ?? 1) && group(name, cap).add(line.id, of)) wanted = true;
    };
    if (selected) offer('selected', REPORT_CAPS.selected);
    else offer(`reason:${line.reason}`, REPORT_CAPS.perReason);
    if (line.cluster !== undefined && inputs.perCluster > 0)
      offer(`cluster:${line.cluster}`, inputs.perCluster);
    if (wanted && !examples.has(line.id)) examples.set(line.id, line);
  };
  if (!spec.recipe.pairs) {
    for (const file of ['selected.jsonl', 'rejected.jsonl'] as const) {
      for (const text of jsonlLines(await getText(store, outputPartKey(job, file, info.shard))))
        see(JSON.parse(text) as OutputLine);
    }
  }
  const invalid = new Map<string, InvalidLine>();
  const firstInvalid = new Smallest<string | undefined>(REPORT_CAPS.invalid);
  for (const text of jsonlLines(await getText(store, outputPartKey(job, 'invalid.jsonl', info.shard)))) {
    const line = JSON.parse(text) as InvalidLine;
    const key = invalidKey(line.source);
    if (keyUniform(key) < (inputs.rates.invalid ?? 1) && firstInvalid.add(key, undefined))
      invalid.set(key, line);
  }
  groups.set('invalid', firstInvalid);

  const out: Groups = {};
  const kept = new Set<string>();
  for (const [name, g] of groups) {
    const list = g.done();
    if (list.length === 0) continue;
    out[name] = list.map(({ key, value }) => (value === undefined ? [key] : [key, value]));
    if (name !== 'invalid') for (const { key } of list) kept.add(key);
  }
  const candidates: ShardCandidates = { examples: {}, invalid: {}, vectors: {} };
  for (const id of kept) candidates.examples[id] = toExample(examples.get(id)!);
  for (const [key] of out.invalid ?? []) candidates.invalid[key] = invalid.get(key)!;
  if (inputs.mapPerCluster > 0) candidates.vectors = await mapVectors(store, spec, info.shard, out, inputs);
  await store.put(reportShardKey(job, info.shard), JSON.stringify(candidates));
  const histograms: Record<string, HistCounts> = {};
  for (const [name, b] of hist) histograms[name] = { selected: b.selected, rejected: b.rejected };
  return {
    records,
    groups: out,
    histograms,
    ...(spec.recipe.pairs ? {} : { rank: { selected: rank.selected, rejected: rank.rejected, filtered } }),
  };
}

/** The embeddings of the shard's map candidates (the first `mapPerCluster` of each cluster group), rounded. */
async function mapVectors(
  store: BlobStore,
  spec: JobSpec,
  shard: number,
  groups: Groups,
  inputs: ShardInputs,
): Promise<Record<string, number[]>> {
  const want = new Set<string>();
  for (const [name, list] of Object.entries(groups))
    if (name.startsWith('cluster:')) for (const [id] of list.slice(0, inputs.mapPerCluster)) want.add(id);
  if (want.size === 0) return {};
  const idBytes = await store.get(shardKey(spec.id, shard, 'ids.bin'));
  if (!idBytes) return {};
  const ids = decodeIds(idBytes);
  const m = await shardEmbeddings(store, spec, shard);
  const out: Record<string, number[]> = {};
  ids.forEach((id, row) => {
    if (!want.has(id) || row >= m.n) return;
    out[id] = Array.from(m.data.subarray(row * m.dim, (row + 1) * m.dim), round);
  });
  return out;
}

/**
 * The originals step, one shard: which of `wanted` (the ids chosen duplicates point to) the shard
 * holds, by its ids file; only when it holds some are its output parts read, and those records written.
 */
export async function reportOriginals(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  wanted: readonly string[],
): Promise<{ found: number }> {
  const idBytes = await store.get(shardKey(spec.id, info.shard, 'ids.bin'));
  if (!idBytes) return { found: 0 };
  const want = new Set(wanted);
  const here = new Set(decodeIds(idBytes).filter((id) => want.has(id)));
  if (here.size === 0) return { found: 0 };
  const found: Record<string, ReportExample> = {};
  for (const file of ['selected.jsonl', 'rejected.jsonl'] as const) {
    const text = await getText(store, outputPartKey(spec.id, file, info.shard));
    if (!text) continue;
    // Each line starts with its id: found by searching the text, without splitting it into lines.
    for (const id of here) {
      if (found[id]) continue;
      const needle = `{"id":"${id}"`;
      let at = text.indexOf(needle);
      while (at > 0 && text[at - 1] !== '\n') at = text.indexOf(needle, at + 1);
      if (at < 0) continue;
      const end = text.indexOf('\n', at);
      found[id] = toExample(JSON.parse(text.slice(at, end < 0 ? text.length : end)) as OutputLine);
    }
  }
  await store.put(reportOriginalsKey(spec.id, info.shard), JSON.stringify(found));
  return { found: Object.keys(found).length };
}
