/**
 * The limits Winnow enforces on what it is sent, in one place (docs/limits.md lists them with the
 * error each one gives). Platform limits (Cloudflare's 100 MB request body, 128 MB of memory…) are
 * in docs/architecture.md; these are Winnow's own, chosen to stay inside them.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** A record (a JSONL line, a JSON-array element) longer than this is `record_too_large`. */
export const MAX_RECORD_BYTES = 8 * MiB;

/**
 * A Parquet row group decoding to more than this (the footer's uncompressed size) is read by no task:
 * its rows are `row_group_too_large`. A task holds about 7 bytes of heap per uncompressed byte of the
 * row group it decodes (docs/limits.md#parquet-row-groups), and a Worker has 128 MB.
 */
export const MAX_ROW_GROUP_BYTES = 16 * MiB;

/**
 * A record nested deeper than this (objects and arrays) is `record_too_deep`: deeper values overflow
 * the stack of the recursive JSON writers they pass through (serde_json's default limit, too).
 */
export const MAX_RECORD_DEPTH = 128;

/** The default of the `MAX_UPLOAD_BYTES` var: decompressed bytes stored per upload (gzip is counted inflated). */
export const DEFAULT_MAX_UPLOAD_BYTES = GiB;

/** A JSON request body (a recipe, a schedule, a sampler call…) longer than this is refused with a 413. */
export const MAX_JSON_BODY_BYTES = MiB;

/**
 * Shards per job: the plan of a job (every shard's byte range) is one coordinator ledger row, which
 * Durable Object storage caps at 2 MB; 10,000 ranges take about 1 MB.
 */
export const MAX_SHARDS_PER_JOB = 10_000;

/** `8 MiB`, `1 GiB`, `1.5 KiB`, `100 bytes`: a size as error messages state it. */
export function formatBytes(n: number): string {
  const units: [number, string][] = [
    [GiB, 'GiB'],
    [MiB, 'MiB'],
    [KiB, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (n >= size) {
      const v = n / size;
      return `${Number.isInteger(v) ? v : Number(v.toFixed(1))} ${unit}`;
    }
  }
  return `${n} bytes`;
}

/** R2's least multipart part (every part but the last): an upload session's parts are at least this. */
export const MIN_UPLOAD_PART_BYTES = 5 * MiB;

/**
 * The most an upload session's parts may be (`UPLOAD_PART_BYTES` is checked against it): one part is
 * one request, and Cloudflare takes at most 100 MB per request body.
 */
export const MAX_UPLOAD_PART_BYTES = 64 * MiB;

/** The default of the `UPLOAD_PART_BYTES` var: bytes per part of an upload session. */
export const DEFAULT_UPLOAD_PART_BYTES = 16 * MiB;

/** Parts per upload session: R2's limit for one multipart upload. */
export const MAX_UPLOAD_PARTS = 10_000;

/** R2 discards an unfinished multipart upload this long after it started (its default lifecycle rule). */
export const UPLOAD_SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
