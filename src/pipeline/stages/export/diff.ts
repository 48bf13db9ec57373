import type { OutputLine } from '../../../../schemas/output.ts';
import type { Diff, DiffCounts, DiffEntry } from '../../../../schemas/schedule.ts';
import {
  addCounts,
  BUCKETS,
  bucketRange,
  decodeEntries,
  decodeHeader,
  decodeIndex,
  diffMembers,
  emptyCounts,
  encodeIndex,
  encodeMemberColumns,
  idHalves,
  MEMBERS_HEADER_BYTES,
  type Member,
  type MembersHeader,
  memberColumns,
  partBuckets,
  type RunView,
  TopEntries,
} from '../../../diff/index.ts';
import { resolveScorers } from '../../../score/index.ts';
import { DUP_REASONS } from '../../../select/dedup/index.ts';
import type { Cut } from '../../../select/index.ts';
import { isTrivialCut, resolveFilters } from '../../../select/index.ts';
import { strategyReasons } from '../../../select/strategies/index.ts';
import { fromJsonl, toJsonl } from '../../jsonl.ts';
import {
  diffKey,
  diffPartKey,
  jobSpecKey,
  membersIndexKey,
  outputManifestKey,
  reportKey,
  shardKey,
} from '../../keys.ts';
import { type BlobStore, getJson, requireText } from '../../store.ts';
import type { JobSpec } from '../../types.ts';

/** Entries per list in diff.json (diff.jsonl has them all). */
export const DIFF_LIST_LIMIT = 5000;
/** Valid records per diff task (a task joins one id-bucket range of both runs). */
const RECORDS_PER_PART = 200_000;

/** How many diff tasks a run of `valid` records gets. */
export const diffParts = (valid: number) =>
  Math.min(BUCKETS, Math.max(1, Math.ceil(valid / RECORDS_PER_PART)));

/**
 * The outcome codes of a run's members file: 0 selected, then every reason a record can be
 * rejected with in this recipe (filters included), then `other`. Derived from the spec, so a later
 * run can read an earlier run's file from its job.json.
 */
export function runView(spec: JobSpec): RunView {
  const writers = resolveScorers(spec.recipe.scorers).map((s) => ({
    id: s.scorer.id,
    outputs: s.scorer.outputs,
  }));
  const filters = resolveFilters(spec.recipe.select.filters, writers).filters.map((f) => f.reason);
  const fixed = ['budget', ...DUP_REASONS, 'semantic_duplicate', ...strategyReasons()];
  return {
    reasons: ['selected', ...new Set([...fixed, ...filters]), 'other'],
    terms: spec.recipe.select.rank.terms.map((t) => t.score),
  };
}

/** A shard's members file, from the lines export wrote (selected: no reason); `reserved`: the ids a reserve took. */
export function encodeShardMembers(
  spec: JobSpec,
  lines: readonly OutputLine[],
  reserved: ReadonlySet<string> = new Set(),
): Uint8Array {
  const view = runView(spec);
  const other = view.reasons.length - 1;
  const codes = new Map(view.reasons.map((r, i) => [r, i]));
  const terms = view.terms.length;
  const c = memberColumns(lines.length, terms);
  lines.forEach((l, i) => {
    const [hi, lo] = idHalves(l.id);
    c.hi[i] = hi;
    c.lo[i] = lo;
    c.rank[i] = l.rank;
    c.index[i] = l.source.index ?? 0;
    c.reason[i] = l.reason === undefined ? 0 : (codes.get(l.reason) ?? other);
    if (reserved.size > 0 && reserved.has(l.id)) c.reserved[i] = 1;
    for (let t = 0; t < terms; t++) c.terms[i * terms + t] = l.scores[view.terms[t]] ?? Number.NaN;
  });
  return encodeMemberColumns(c, terms);
}

/** One task of export step 1: every shard's members header, gathered into the run's index. */
export async function writeMembersIndex(store: BlobStore, spec: JobSpec, shards: number): Promise<void> {
  const headers: MembersHeader[] = [];
  for (let s = 0; s < shards; s++) {
    const key = shardKey(spec.id, s, 'members.bin');
    headers.push(decodeHeader(await store.range(key, 0, MEMBERS_HEADER_BYTES), key));
  }
  await store.put(membersIndexKey(spec.id), encodeIndex(headers, runView(spec).terms.length));
}

/**
 * Every shard's entries in the bucket range, from one run's members files, sorted by id: one read of
 * the run's index, then one range read per shard that has entries there.
 */
async function readRange(store: BlobStore, job: string, b0: number, b1: number) {
  const key = membersIndexKey(job);
  const bytes = await store.get(key);
  if (!bytes) throw new Error(`run ${job} has no members index (${key}): it cannot be compared`);
  const out: Member[] = [];
  const headers = decodeIndex(bytes, key);
  for (const [s, h] of headers.entries()) {
    const { offset, length } = bucketRange(h, b0, b1);
    if (length > 0)
      out.push(...decodeEntries(await store.range(shardKey(job, s, 'members.bin'), offset, length), h.terms));
  }
  return out.sort((a, b) => a.hi - b.hi || a.lo - b.lo);
}

async function previousSpec(store: BlobStore, prev: string): Promise<JobSpec> {
  const spec = await getJson<JobSpec>(store, jobSpecKey(prev));
  if (!spec || !(await store.head(outputManifestKey(prev))))
    throw new Error(`previous run ${prev} has no outputs to compare with`);
  return spec;
}

export interface DiffPartResult {
  counts: DiffCounts;
  bytes: number;
}

/** Diff task `index` of `parts`: join both runs' members in its id-bucket range, write its diff.jsonl part. */
export async function diffPart(
  store: BlobStore,
  spec: JobSpec,
  index: number,
  parts: number,
): Promise<DiffPartResult> {
  const prev = await previousSpec(store, spec.previous!);
  const [b0, b1] = partBuckets(index, parts);
  const before = await readRange(store, prev.id, b0, b1);
  const after = await readRange(store, spec.id, b0, b1);
  const { entries, counts } = diffMembers(before, after, { before: runView(prev), after: runView(spec) });
  const data = new TextEncoder().encode(toJsonl(entries));
  await store.put(diffPartKey(spec.id, index), data);
  return { counts, bytes: data.byteLength };
}

export interface DiffResult {
  previous: string;
  counts: DiffCounts;
  threshold: Diff['threshold'];
  parts: number;
  /** Bytes of diff.json and of diff.jsonl. */
  bytes: number;
  linesBytes: number;
  truncated: boolean;
}

/** The diff tasks' results as one: counts added, diff.jsonl bytes summed. */
export function mergeDiffParts(parts: readonly DiffPartResult[]): { counts: DiffCounts; bytes: number } {
  return {
    counts: parts.reduce((acc, p) => addCounts(acc, p.counts), emptyCounts()),
    bytes: parts.reduce((a, p) => a + p.bytes, 0),
  };
}

/** One task: diff.json from the parts (counts, and the entries that moved most in each direction). */
export async function writeDiff(
  store: BlobStore,
  spec: JobSpec,
  { parts, counts, bytes: linesBytes }: { parts: number; counts: DiffCounts; bytes: number },
  cut: Cut,
): Promise<DiffResult> {
  const entered = new TopEntries(DIFF_LIST_LIMIT);
  const left = new TopEntries(DIFF_LIST_LIMIT);
  for (let p = 0; p < parts; p++) {
    for (const e of fromJsonl<DiffEntry>(await requireText(store, diffPartKey(spec.id, p))))
      (e.change === 'entered' ? entered : left).add(e);
  }
  const prevReport = await getJson<{ threshold: { rank: number } | null }>(store, reportKey(spec.previous!));
  const diff: Diff = {
    run: spec.id,
    previous: spec.previous!,
    counts,
    threshold: {
      before: prevReport?.threshold?.rank ?? null,
      after: isTrivialCut(cut) ? null : cut.threshold,
    },
    entered: entered.done(),
    left: left.done(),
    limit: DIFF_LIST_LIMIT,
    truncated: entered.total > DIFF_LIST_LIMIT || left.total > DIFF_LIST_LIMIT,
  };
  const data = new TextEncoder().encode(JSON.stringify(diff));
  await store.put(diffKey(spec.id), data, 'application/json');
  return {
    previous: diff.previous,
    counts,
    threshold: diff.threshold,
    parts,
    bytes: data.byteLength,
    linesBytes,
    truncated: diff.truncated,
  };
}
