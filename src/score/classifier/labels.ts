import { mulberry32 } from '../../demo/random.ts';
import type { FitInput, ScoreInput } from '../types.ts';

export interface LabelOptions {
  labels?: string;
  labelField: string;
  positive: string[];
}

/** A row's label field, or undefined when the row has none (null counts as none). */
export function labelOf(record: unknown, field: string): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const v = (record as Record<string, unknown>)[field];
  return v === null ? undefined : v;
}

/**
 * 1 for `true`, `1`, or a string that, trimmed and lowercased, is in `positive` (also lowercased);
 * 0 for any other present value; null when absent.
 */
export function parseLabel(value: unknown, positive: readonly string[]): 0 | 1 | null {
  if (value === undefined) return null;
  if (value === true || value === 1) return 1;
  if (typeof value === 'string' && positive.some((p) => p.toLowerCase() === value.trim().toLowerCase()))
    return 1;
  return 0;
}

/** The labelled examples: rows of the `labels` dataset, else the job's own rows with a label field. */
export function labelledExamples(
  { self, references }: FitInput,
  { labels, labelField, positive }: LabelOptions,
): { records: ScoreInput[]; y: Uint8Array } {
  const rows = labels ? (references[labels] ?? []) : self;
  const records: ScoreInput[] = [];
  const y: number[] = [];
  for (const r of rows) {
    const label = parseLabel(labelOf(r.record, labelField), positive);
    if (label === null) continue;
    records.push(r);
    y.push(label);
  }
  let pos = 0;
  for (const v of y) pos += v;
  const neg = y.length - pos;
  if (pos < 2 || neg < 2) {
    const from = labels ? `labels ${labels}` : "the job's own records";
    throw new RangeError(
      `classifier: need at least 2 positive and 2 negative examples, got ${pos} positive and ${neg} negative ` +
        `(field "${labelField}" in ${from}; positive values: ${positive.join(', ')})`,
    );
  }
  return { records, y: Uint8Array.from(y) };
}

/**
 * About `max` of the examples (never fewer than 2 of a class that has them): per class, a uniform
 * subset of ⌈max · share⌉ drawn by a seeded partial Fisher–Yates; kept in input order.
 */
export function subsample<T>(
  records: T[],
  y: Uint8Array,
  max: number,
  seed: number,
): { records: T[]; y: Uint8Array } {
  if (records.length <= max) return { records, y };
  const rand = mulberry32(seed);
  const keep: number[] = [];
  for (const cls of [1, 0]) {
    const idx = [...y.keys()].filter((i) => y[i] === cls);
    const take = Math.min(idx.length, Math.max(2, Math.ceil((max * idx.length) / y.length)));
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(rand() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
      keep.push(idx[i]);
    }
  }
  keep.sort((a, b) => a - b);
  return { records: keep.map((i) => records[i]), y: Uint8Array.from(keep, (i) => y[i]) };
}
