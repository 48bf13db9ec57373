/**
 * The R2 layout. Every stage writes to keys derived from (job, stage, shard) only, so a retry
 * overwrites its own output and two tasks never write the same key.
 */
const pad = (n: number) => String(n).padStart(5, '0');

export const datasetPrefix = (name: string) => `datasets/${name}/`;
export const datasetManifestKey = (name: string) => `datasets/${name}/manifest.json`;
export const datasetUploadKey = (name: string) => `datasets/${name}/upload`;

export const jobPrefix = (job: string) => `jobs/${job}/`;
export const jobSpecKey = (job: string) => `jobs/${job}/job.json`;
export const shardKey = (job: string, shard: number, file: ShardFile) =>
  `jobs/${job}/shards/${pad(shard)}/${file}`;
export type ShardFile = 'records.jsonl' | 'invalid.jsonl' | 'scores.jsonl' | 'rank.f64';

/** Final outputs are part files, one per shard, concatenated in shard order when served. */
export type OutputFile = 'selected.jsonl' | 'rejected.jsonl' | 'invalid.jsonl';
export const OUTPUT_FILES: readonly OutputFile[] = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl'];
export const outputPartKey = (job: string, file: OutputFile, shard: number) =>
  `jobs/${job}/out/${file.replace('.jsonl', '')}/part-${pad(shard)}.jsonl`;
export const reportKey = (job: string) => `jobs/${job}/out/report.json`;
export const outputManifestKey = (job: string) => `jobs/${job}/out/manifest.json`;

/** The fit stage: each shard's sample of records to fit learning scorers on. */
export const fitSampleKey = (job: string, shard: number) => `jobs/${job}/fit/sample/${pad(shard)}.jsonl`;
/**
 * A fitted model and its summary. Cached models live with the dataset, so later jobs reuse them
 * (and their score cells stay valid); `cache: false` keeps them inside the job.
 */
export const modelKey = (scope: { job: string; dataset: string; shared: boolean }, name: string) =>
  scope.shared ? `cache/${scope.dataset}/models/${name}` : `jobs/${scope.job}/fit/models/${name}`;
