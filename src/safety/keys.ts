/** Where safety jobs keep their files (the R2 layout of src/pipeline/keys.ts, extended). */
const pad = (n: number) => String(n).padStart(5, '0');

/** A generation job's candidates of one shard (an intermediate). */
export const candidatesKey = (job: string, shard: number) =>
  `jobs/${job}/safety/candidates/${pad(shard)}.jsonl`;
/** A benchmark job's graded answers of one shard: a part of answers.jsonl. */
export const answersKey = (job: string, shard: number) =>
  `jobs/${job}/out/safety/answers/part-${pad(shard)}.jsonl`;
/** The outputs of a generation job: the kept records and the rejected ones with their reasons. */
export const generatedKey = (job: string) => `jobs/${job}/out/safety/safety.jsonl`;
export const generatedRejectedKey = (job: string) => `jobs/${job}/out/safety/rejected.jsonl`;
/** A benchmark's failures (compromised and unclear answers). */
export const failuresKey = (job: string) => `jobs/${job}/out/safety/failures.jsonl`;

/**
 * The input a safety job writes itself (a generation job's drafts, a held-out attack set), read by
 * that job only: it goes when the job is deleted (workers/delete-job.ts), and gc sweeps one whose
 * job is gone.
 */
export const inputKey = (slug: string, kind: 'drafts' | 'attacks', job: string) =>
  `safety/${slug}/${kind}/${job}.jsonl`;
/** The job a key of `inputKey` belongs to, or undefined for any other key. */
export function inputJob(key: string): string | undefined {
  return /^safety\/[^/]+\/(?:drafts|attacks)\/([^/]+)\.jsonl$/.exec(key)?.[1];
}

/**
 * The ledger of prompts generated for an identity, one object per generation job: its kept records'
 * prompt hashes. A held-out benchmark set leaves every hash of the ledger out.
 */
export const LEDGER = 'safety/';
export const ledgerPrefix = (slug: string) => `safety/${slug}/generated/`;
export const ledgerKey = (slug: string, job: string) => `${ledgerPrefix(slug)}${job}.json`;

export interface LedgerEntry {
  job: string;
  identity: { name: string; developer: string };
  seed: number;
  hashes: string[];
}
