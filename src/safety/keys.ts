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
