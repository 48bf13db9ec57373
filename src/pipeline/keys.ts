/**
 * The R2 layout. Every stage writes to keys derived from (job, stage, shard) only, so a retry
 * overwrites its own output and two tasks never write the same key.
 */
const pad = (n: number) => String(n).padStart(5, '0');

export const DATASETS = 'datasets/';
export const datasetPrefix = (name: string) => `datasets/${name}/`;
export const datasetManifestKey = (name: string) => `datasets/${name}/manifest.json`;

export const JOBS = 'jobs/';
export const jobPrefix = (job: string) => `jobs/${job}/`;
export const jobSpecKey = (job: string) => `jobs/${job}/job.json`;
export const shardKey = (job: string, shard: number, file: ShardFile) =>
  `jobs/${job}/shards/${pad(shard)}/${file}`;
export type ShardFile =
  | 'records.jsonl'
  /** Each valid record's input row (JSON), line for line with records.jsonl; read only by the stages that need it. */
  | 'rows.jsonl'
  | 'invalid.jsonl'
  | 'scores.jsonl'
  /** Rank values (float64, -1 for a filtered record), the values the budget is cut on, record ids (8 bytes each). */
  | 'rank.f64'
  | 'priority.f64'
  | 'ids.bin'
  /** Why a candidate left before the budget: dedup and strategy refusals (see stages/select-scatter.ts). */
  | 'fate.json'
  /** In-context: each record's measured or estimated score, then whether it was measured. */
  | 'estimate.f64'
  /**
   * Reserves (recipe `select.reserve`), a byte per record: the reserves it matches, as bits (`match.u8`,
   * prepare: not filtered; `reserve.u8`, scatter: a candidate after dedup and the strategy), and the
   * reserve that took it, as its index + 1, once reserves 0…p were spent (`reserved.<p>.u8`, written by
   * reserve p's step alone: a step never rewrites what an earlier one wrote).
   */
  | 'match.u8'
  | 'reserve.u8'
  | `reserved.${number}.u8`
  /** Selected records' id, source and weight source score, for weights.jsonl. */
  | 'weights-src.json'
  /** Every valid record's id, rank, outcome and rank-term scores, sorted by id (src/diff/members.ts). */
  | 'members.bin';

/** Outputs stored as part files (one per shard, or per partition), served concatenated in order. */
export type PartFile =
  | 'selected.jsonl'
  | 'rejected.jsonl'
  | 'invalid.jsonl'
  | 'weights.jsonl'
  /** Pairs jobs: one part per hash partition (invalid.jsonl stays one per shard). */
  | 'pairs.jsonl'
  | 'groups.jsonl'
  /** Trainer-ready exports (src/export/files.ts), one part per shard (pairs jobs: per partition). */
  | 'train.jsonl'
  | 'train.alpaca.jsonl'
  | 'train.sharegpt.jsonl'
  | 'train.ranking.jsonl';
export const outputPartKey = (job: string, file: PartFile, shard: number) =>
  `jobs/${job}/out/${file.replace('.jsonl', '')}/part-${pad(shard)}.jsonl`;
/** An export's configuration file (`dataset_info.json`, `axolotl.yaml`): one object. */
export const exportConfigKey = (job: string, name: string) => `jobs/${job}/out/${name}`;
export const reportKey = (job: string) => `jobs/${job}/out/report.json`;
export const outputManifestKey = (job: string) => `jobs/${job}/out/manifest.json`;
/** The dataset card (README.md with Hugging Face front matter) and provenance.json (stages/card). */
export const cardKey = (job: string) => `jobs/${job}/out/README.md`;
export const provenanceKey = (job: string) => `jobs/${job}/out/provenance.json`;
/** report.html's data (the report stage) and the page itself (written beside report.json, src/report/). */
export const reportDataKey = (job: string) => `jobs/${job}/out/report-data.json`;
export const reportHtmlKey = (job: string) => `jobs/${job}/out/report.html`;
/** The report stage: a shard's candidate examples, and the originals of chosen duplicates it holds. */
export const reportShardKey = (job: string, shard: number) => `jobs/${job}/report/shards/${pad(shard)}.json`;
export const reportOriginalsKey = (job: string, shard: number) =>
  `jobs/${job}/report/originals/${pad(shard)}.json`;
/** A run compared with an earlier one: diff.json, and diff.jsonl as one part per id-bucket range. */
export const diffKey = (job: string) => `jobs/${job}/out/diff.json`;
/** Every shard's members-file bucket starts in one object (written with weights.jsonl). */
export const membersIndexKey = (job: string) => `jobs/${job}/out/members-index.bin`;
export const diffPartKey = (job: string, part: number) => `jobs/${job}/out/diff/part-${pad(part)}.jsonl`;
/** The dataset's pointer to its last finished scheduled run. */
export const datasetLatestKey = (name: string) => `datasets/${name}/latest.json`;
/** Index of datasets that have a schedule (the scheduled handler lists it; the DatasetKeeper holds the schedule). */
export const scheduleMarkerKey = (name: string) => `schedules/${name}`;
export const SCHEDULE_MARKERS = 'schedules/';
/** Index of sampler runs (`GET /v1/runs` lists it; the SamplerRun object holds the run). */
export const samplerMarkerKey = (id: string) => `samplers/${id}`;
export const SAMPLER_MARKERS = 'samplers/';
/** Index of pair sets: a set's prefix holds its marker (written when it is configured) and its rounds. */
export const PAIR_SETS = 'pairsets/';
export const pairSetMarkerKey = (set: string) => `pairsets/${set}/set`;

/**
 * A dataset's cached score cells of offline scorers, one object per (shard content digest, scorer
 * column), and each digest's list of record hashes (see stages/score/cell-objects.ts).
 */
export const cellsPrefix = (name: string) => `datasets/${name}/.winnow/cells/`;
export const cellHashesKey = (name: string, digest: string) => `${cellsPrefix(name)}${digest}/hashes`;
export const cellColumnKey = (name: string, digest: string, column: string) =>
  `${cellsPrefix(name)}${digest}/${encodeURIComponent(column)}`;

/** What Winnow keeps for a dataset outside its prefix: fitted models (see modelKey). */
export const datasetCachePrefix = (name: string) => `cache/${name}/`;

/** The fit stage: each shard's sample of records to fit learning scorers on. */
export const fitSampleKey = (job: string, shard: number) => `jobs/${job}/fit/sample/${pad(shard)}.jsonl`;
/**
 * A fitted model and its summary. Cached models live with the dataset, so later jobs reuse them
 * (and their score cells stay valid); `cache: false` keeps them inside the job.
 */
export const modelKey = (scope: { job: string; dataset: string; shared: boolean }, name: string) =>
  scope.shared
    ? `${datasetCachePrefix(scope.dataset)}models/${name}`
    : `jobs/${scope.job}/fit/models/${name}`;

/** Embeddings: a shard's vectors (row-major float32 with a header, see src/embed/matrix-file.ts). */
export const embedKey = (job: string, shard: number, which: 'embed' | 'reduced') =>
  `jobs/${job}/shards/${pad(shard)}/${which}.f32`;
/** The embedder's first pass: a shard's partial, and the merged model. */
export const embedPartialKey = (job: string, shard: number) => `jobs/${job}/embed/partial/${pad(shard)}.bin`;
export const embedModelKey = (job: string) => `jobs/${job}/embed/model.bin`;
/** PCA for clustering: each shard's moment statistics, and the fitted projection. */
export const pcaPartialKey = (job: string, shard: number) => `jobs/${job}/embed/pca/${pad(shard)}.bin`;
export const pcaModelKey = (job: string) => `jobs/${job}/embed/pca/model.bin`;
/** Clustering: the sample for seeding, each step's statistics per shard, and parameters per step. */
export const clusterSampleKey = (job: string, shard: number) =>
  `jobs/${job}/cluster/sample/${pad(shard)}.f32`;
export const clusterStatsKey = (job: string, iter: number, shard: number) =>
  `jobs/${job}/cluster/stats/${pad(iter)}/${pad(shard)}.bin`;
export const clusterParamsKey = (job: string, iter: number) => `jobs/${job}/cluster/params/${pad(iter)}.bin`;
/** A shard's final assignment: cluster per record and, for GMM, top posteriors. */
export const clusterAssignKey = (job: string, shard: number) =>
  `jobs/${job}/shards/${pad(shard)}/cluster.json`;
export const clustersKey = (job: string) => `jobs/${job}/out/clusters.json`;

/** Selection: a shard's band-key partitions of the dedup map (packed), their edges, and the resolved losers. */
export const dedupMapKey = (job: string, shard: number) => `jobs/${job}/select/dedup/map/${pad(shard)}.bin`;
export const dedupEdgesKey = (job: string, partition: number) =>
  `jobs/${job}/select/dedup/edges/${pad(partition)}.bin`;
/** One shard's losers (resolve writes every shard's, so a shard reads only its own). */
export const dedupLosersKey = (job: string, shard: number) =>
  `jobs/${job}/select/dedup/losers/${pad(shard)}.bin`;
/** Selection: candidates shuffled to cluster partitions, and each partition's verdicts per shard. */
export const groupPartKey = (job: string, group: number, shard: number) =>
  `jobs/${job}/select/groups/${pad(group)}/${pad(shard)}.bin`;
export const groupFateKey = (job: string, group: number, shard: number) =>
  `jobs/${job}/select/fate/${pad(group)}/${pad(shard)}.bin`;
/** Accelerated in-context scoring: each shard's sample and measured values, the joined sample, the estimator. */
export const icShardSampleKey = (job: string, shard: number) =>
  `jobs/${job}/select/incontext/sample/${pad(shard)}.bin`;
export const icMeasuredKey = (job: string, shard: number) =>
  `jobs/${job}/select/incontext/measured/${pad(shard)}.json`;
/** The audit's measured values of one shard (records outside the sample, scored in full). */
export const icAuditKey = (job: string, shard: number) =>
  `jobs/${job}/select/incontext/audit/${pad(shard)}.json`;
export const icSampleKey = (job: string) => `jobs/${job}/select/incontext/sample.bin`;
export const icModelKey = (job: string) => `jobs/${job}/select/incontext/model.bin`;

/** Pairs: each shard's members of one hash partition, and each partition's candidate summary for the budget. */
export const pairsScatterKey = (job: string, partition: number, shard: number) =>
  `jobs/${job}/pairs/scatter/${pad(partition)}/${pad(shard)}.jsonl`;
export const pairsIndexKey = (job: string, partition: number) =>
  `jobs/${job}/pairs/index/${pad(partition)}.bin`;
