import { PARQUET, type ParquetColumn, parquetFile, parquetPartName } from '../../../export/parquet.ts';
import { fromJsonl } from '../../jsonl.ts';
import { diffPartKey, jobPrefix, outputPartKey, type PartFile } from '../../keys.ts';
import { type OutputFile, singleFile } from '../../outputs.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec } from '../../types.ts';

/**
 * Parquet copies of a job's JSONL part files (recipe `export.parquet`), part for part: each part of
 * `<file>.jsonl` becomes `<config>/train-<part>-of-<parts>.parquet`, the layout the Hugging Face Hub
 * reads as config `<config>`, split `train`. Columns are declared per file, so every part of a file
 * has the same schema (a part with no rows too); nested values of no fixed shape are JSON text.
 */

const RECORD_LINE: ParquetColumn[] = [
  { name: 'id', kind: 'string' },
  { name: 'hash', kind: 'string' },
  { name: 'source', kind: 'json' },
  { name: 'record', kind: 'json' },
  { name: 'scores', kind: 'json' },
  { name: 'rank', kind: 'double' },
  { name: 'cluster', kind: 'int64' },
  { name: 'posteriors', kind: 'json' },
  { name: 'logDensity', kind: 'double' },
  { name: 'flags', kind: 'strings' },
  { name: 'note', kind: 'string' },
  { name: 'reason', kind: 'string' },
  { name: 'duplicateOf', kind: 'string' },
  { name: 'similarTo', kind: 'string' },
  { name: 'similarity', kind: 'double' },
];

/** A JSONL file stored in parts that has a Parquet copy: the part files, and a scheduled run's diff.jsonl. */
export type ParquetSource = PartFile | 'diff.jsonl';

/** Each part file's Parquet folder and columns; the trainer files' `weight` only when the job writes one. */
export function parquetLayout(
  file: ParquetSource,
  spec: JobSpec,
): { config: string; columns: ParquetColumn[] } {
  const weight: ParquetColumn[] =
    spec.recipe.export.weight && !spec.recipe.pairs ? [{ name: 'weight', kind: 'double' }] : [];
  switch (file) {
    case 'selected.jsonl':
      return { config: 'selected', columns: RECORD_LINE };
    case 'rejected.jsonl':
      return { config: 'rejected', columns: RECORD_LINE };
    case 'invalid.jsonl':
      return {
        config: 'invalid',
        columns: [
          { name: 'source', kind: 'json' },
          { name: 'offset', kind: 'int64' },
          { name: 'error', kind: 'json' },
          { name: 'raw', kind: 'string' },
        ],
      };
    case 'weights.jsonl':
      return {
        config: 'weights',
        columns: [
          { name: 'id', kind: 'string' },
          { name: 'source', kind: 'json' },
          { name: 'weight', kind: 'double' },
        ],
      };
    case 'train.jsonl':
      return spec.recipe.pairs
        ? {
            config: 'data',
            columns: [
              { name: 'prompt', kind: 'messages' },
              { name: 'chosen', kind: 'messages' },
              { name: 'rejected', kind: 'messages' },
            ],
          }
        : { config: 'data', columns: [{ name: 'messages', kind: 'messages' }, ...weight] };
    case 'train.alpaca.jsonl':
      return {
        config: 'alpaca',
        columns: [
          { name: 'instruction', kind: 'string' },
          { name: 'input', kind: 'string' },
          { name: 'output', kind: 'string' },
          { name: 'system', kind: 'string' },
          { name: 'history', kind: 'pairs' },
          ...weight,
        ],
      };
    case 'train.sharegpt.jsonl':
      return {
        config: 'sharegpt',
        columns: [
          { name: 'conversations', kind: 'conversations' },
          { name: 'system', kind: 'string' },
          ...weight,
        ],
      };
    case 'train.ranking.jsonl':
      return {
        config: 'ranking',
        columns: [
          { name: 'messages', kind: 'messages' },
          { name: 'chosen', kind: 'message' },
          { name: 'rejected', kind: 'message' },
        ],
      };
    case 'pairs.jsonl':
      return {
        config: 'pairs',
        columns: [
          { name: 'prompt', kind: 'json' },
          { name: 'chosen', kind: 'json' },
          { name: 'rejected', kind: 'json' },
          { name: 'score_chosen', kind: 'double' },
          { name: 'score_rejected', kind: 'double' },
          { name: 'margin', kind: 'double' },
          { name: 'group', kind: 'string' },
          { name: 'task', kind: 'string' },
          { name: 'chosen_id', kind: 'string' },
          { name: 'rejected_id', kind: 'string' },
          { name: 'chosen_meta', kind: 'json' },
          { name: 'rejected_meta', kind: 'json' },
          { name: 'round', kind: 'int64' },
        ],
      };
    case 'groups.jsonl':
      return {
        config: 'groups',
        columns: [
          { name: 'group', kind: 'string' },
          { name: 'task', kind: 'string' },
          { name: 'members', kind: 'int64' },
          { name: 'scored', kind: 'int64' },
          { name: 'successes', kind: 'int64' },
          { name: 'failures', kind: 'int64' },
          { name: 'best', kind: 'double' },
          { name: 'worst', kind: 'double' },
          { name: 'candidates', kind: 'int64' },
          { name: 'pairs', kind: 'int64' },
          { name: 'status', kind: 'string' },
          { name: 'reason', kind: 'string' },
        ],
      };
    case 'diff.jsonl':
      return {
        config: 'diff',
        columns: [
          { name: 'id', kind: 'string' },
          { name: 'change', kind: 'string' },
          { name: 'cause', kind: 'string' },
          { name: 'index', kind: 'json' },
          { name: 'rank', kind: 'json' },
          { name: 'reason', kind: 'json' },
          { name: 'scores', kind: 'json' },
        ],
      };
  }
}

/** Where a Parquet part is stored: under the job's outputs, by its output name. */
export const parquetKey = (job: string, name: string) => `${jobPrefix(job)}out/${name}`;

/** Bytes of each Parquet part written, by config folder. */
export type ParquetBytes = Record<string, number>;

/** Part `part` (of `parts`) of each file, read as JSONL and written as its Parquet part. */
export async function writeParquetParts(
  store: BlobStore,
  spec: JobSpec,
  files: readonly ParquetSource[],
  part: number,
  parts: number,
): Promise<ParquetBytes> {
  const out: ParquetBytes = {};
  for (const file of files) {
    const { config, columns } = parquetLayout(file, spec);
    const key = file === 'diff.jsonl' ? diffPartKey(spec.id, part) : outputPartKey(spec.id, file, part);
    const rows = fromJsonl<Record<string, unknown>>(await getText(store, key));
    const data = parquetFile(columns, rows);
    await store.put(parquetKey(spec.id, parquetPartName(config, part, parts)), data, PARQUET);
    out[config] = data.byteLength;
  }
  return out;
}

/** The Parquet parts in the output manifest: for each file, its parts in order (none before they were written). */
export function parquetOutputs(
  spec: JobSpec,
  files: readonly ParquetSource[],
  bytes: readonly ParquetBytes[] | undefined,
): OutputFile[] {
  if (!bytes) return [];
  return files.flatMap((file) => {
    const { config } = parquetLayout(file, spec);
    return bytes.map((b, part) => {
      const name = parquetPartName(config, part, bytes.length);
      return singleFile(name, parquetKey(spec.id, name), b[config] ?? 0, PARQUET);
    });
  });
}
