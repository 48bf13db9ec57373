import { excerpt, isRequestRejected } from '../providers/index.ts';
import { type Example, splitExample } from './prompt.ts';
import type { ScoreInput, ScoreRow } from './types.ts';

/**
 * A model-backed scorer's batch: every record scored by `fn` at once (the provider layer caps how many
 * requests are in flight). An endpoint refusing one record's request (HTTP 400, 413, 422: too long,
 * malformed) costs only that record: `rejected(note)` with flag `<id>_rejected`. Every other error
 * (budget, outage, bad configuration) fails the batch.
 */
export function perRecord(
  batch: readonly ScoreInput[],
  id: string,
  rejected: (note: string) => ScoreRow,
  fn: (example: Example, record: ScoreInput) => Promise<ScoreRow>,
): Promise<ScoreRow[]> {
  return Promise.all(
    batch.map(async (r) => {
      try {
        return await fn(splitExample(r.turns), r);
      } catch (e) {
        if (!isRequestRejected(e)) throw e;
        const row = rejected(excerpt((e as Error).message));
        return { ...row, flags: [...(row.flags ?? []), `${id}_rejected`] };
      }
    }),
  );
}
