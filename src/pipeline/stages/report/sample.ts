import type { OutputLine } from '../../../../schemas/output.ts';
import type { Turn } from '../../../../schemas/record.ts';
import type { ReportCaps, ReportExample } from '../../../../schemas/report-data.ts';
import { normalizeValue } from '../../../formats/index.ts';
import { fmix32 } from '../../../util/fmix32.ts';

/** Examples kept for report.html (report-data.json's `caps`): small enough for a page at any size of input. */
export const REPORT_CAPS: Omit<ReportCaps, 'mapPerCluster'> = {
  perReason: 30,
  perCluster: 8,
  selected: 20,
  invalid: 30,
};
/** Points of the 2-D cluster map in all (a stratified sample: the same number per cluster). */
export const MAP_POINTS = 2000;
/** Characters of each turn kept for the page; longer turns are cut (`cut: true`). */
export const TEXT_CHARS = 2000;
/** Bins of report-data's histograms. */
export const REPORT_BINS = 40;

/** Map points per cluster: `MAP_POINTS` shared out over `k` clusters (at most 200 each, at least 2). */
export function mapPerCluster(k: number): number {
  return k <= 0 ? 0 : Math.max(2, Math.min(200, Math.floor(MAP_POINTS / k)));
}

/**
 * The `cap` entries of smallest key seen so far (ties by `tie`), whatever the order they come in:
 * the deterministic sample of a group. Keys are record ids (already a hash of the record's place and
 * content) or zero-padded input positions (invalid lines: the first ones).
 */
export class Smallest<T> {
  private items: { key: string; value: T }[] = [];
  private worst: string | undefined;
  readonly cap: number;
  constructor(cap: number) {
    this.cap = cap;
  }

  /** Whether the entry is kept for now (a later, smaller key may still push it out). */
  add(key: string, value: T): boolean {
    if (this.cap <= 0) return false;
    // Once `cap` entries are kept, only a smaller key can still enter them.
    if (this.worst !== undefined && key >= this.worst) return false;
    this.items.push({ key, value });
    if (this.items.length >= 2 * this.cap) this.trim();
    return true;
  }

  private trim(): void {
    this.items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.items.length = Math.min(this.items.length, this.cap);
    this.worst = this.items.length >= this.cap ? this.items[this.items.length - 1].key : undefined;
  }

  /** The kept entries, smallest key first. */
  done(): { key: string; value: T }[] {
    this.trim();
    return this.items.slice();
  }
}

/** The sample key of an invalid line: a hash of its object and position (16 hex digits, as a record id). */
export function invalidKey(source: { part?: number; index?: number }): string {
  const index = source.index ?? 0;
  const hi = fmix32(Math.floor(index / 0x100000000) ^ fmix32((source.part ?? 0) ^ 0x5bd1e995));
  const lo = fmix32((index >>> 0) ^ fmix32(hi ^ 0x9e3779b9));
  return hex8(hi) + hex8(lo);
}

const hex8 = (x: number) => x.toString(16).padStart(8, '0');

/**
 * Candidates a shard reports per group are only those whose key, as a uniform number, falls under
 * the group's rate: `OVERSAMPLE` times the cap over the group's size (known from the export's
 * tally). The global sample is then the cap smallest of about `OVERSAMPLE × cap` candidates whatever
 * the number of shards, and the barrier that merges them stays small; it misses a key of the exact
 * sample only when fewer than `cap` keys of the group fall under the rate (for a cap of 30, a chance
 * of about 10⁻²⁰).
 */
export const OVERSAMPLE = 4;

export function groupRate(cap: number, size: number): number {
  return size <= 0 ? 1 : Math.min(1, (OVERSAMPLE * cap) / size);
}

/** A 16-hex-digit key as a uniform number in [0, 1). */
export function keyUniform(key: string): number {
  return Number.parseInt(key.slice(0, 12), 16) / 2 ** 48;
}

/** Equal-width bins over [min, max]: selected and not selected, counting every value added. */
export class Bins {
  readonly selected: number[];
  readonly rejected: number[];
  readonly min: number;
  readonly max: number;
  constructor(min: number, max: number, bins = REPORT_BINS) {
    this.min = min;
    this.max = max;
    this.selected = new Array(bins).fill(0);
    this.rejected = new Array(bins).fill(0);
  }

  add(v: number, selected: boolean): void {
    if (!Number.isFinite(v)) return;
    const n = this.selected.length;
    const at = this.max > this.min ? Math.floor(((v - this.min) / (this.max - this.min)) * n) : 0;
    const b = Math.min(n - 1, Math.max(0, at));
    (selected ? this.selected : this.rejected)[b]++;
  }
}

/** Bin counts added elementwise (arrays of one length). */
export function addCounts(into: number[], more: readonly number[]): number[] {
  for (let i = 0; i < more.length; i++) into[i] = (into[i] ?? 0) + more[i];
  return into;
}

const cutText = (s: string) => (s.length > TEXT_CHARS ? `${s.slice(0, TEXT_CHARS)}…` : s);

/** A record's turns, each cut to `TEXT_CHARS`; a record that does not normalize shows as its JSON. */
export function exampleTurns(record: unknown): { turns: Turn[]; cut: boolean } {
  const n = normalizeValue(record, 'auto');
  const turns: Turn[] = n.ok ? n.turns : [{ role: 'user', content: JSON.stringify(record, null, 1) ?? '' }];
  let cut = false;
  const out = turns.map((t) => {
    if (t.content.length > TEXT_CHARS) cut = true;
    return { role: t.role, content: cutText(t.content) };
  });
  return { turns: out, cut };
}

/** An output line as report-data shows it: turns instead of the record, and what the page needs. */
export function toExample(line: OutputLine): ReportExample {
  const { turns, cut } = exampleTurns(line.record);
  const ex: ReportExample = { id: line.id, source: line.source, turns, scores: line.scores, rank: line.rank };
  if (cut) ex.cut = true;
  if (line.cluster !== undefined) ex.cluster = line.cluster;
  if (line.flags?.length) ex.flags = line.flags;
  if (line.note) ex.note = line.note;
  if (line.reason) ex.reason = line.reason;
  if (line.duplicateOf) ex.duplicateOf = line.duplicateOf;
  if (line.similarTo) ex.similarTo = line.similarTo;
  if (line.similarity !== undefined) ex.similarity = line.similarity;
  return ex;
}

/** Lines of a JSONL text, one at a time (a shard's part is read whole; its lines are not all parsed at once). */
export function* jsonlLines(text: string | null): Generator<string> {
  if (!text) return;
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    if (end > at) yield text.slice(at, end);
    at = end + 1;
  }
}
