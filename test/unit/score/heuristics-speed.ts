/**
 * Throughput of the offline `heuristics` and `identity` scorers on the Alpaca sample (not a test; run
 * with `node test/unit/score/heuristics-speed.ts`). Prints records/s, best of 7 rounds after warm-up.
 */
import { readFileSync } from 'node:fs';
import { heuristicsScorer } from '../../../src/score/heuristics/index.ts';
import { identityScorer } from '../../../src/score/identity/index.ts';
import type { ScoreInput, Scorer } from '../../../src/score/types.ts';
import { dataFile } from '../../support/data.ts';

const rows = JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as {
  instruction: string;
  input?: string;
  output: string;
}[];
const records: ScoreInput[] = rows.map((r, i) => ({
  id: String(i),
  hash: 'h',
  turns: [
    { role: 'user', content: r.instruction + (r.input ? `\n\n${r.input}` : '') },
    { role: 'assistant', content: r.output },
  ],
}));
const chars =
  records.reduce((n, r) => n + r.turns.reduce((m, t) => m + t.content.length, 0), 0) / records.length;

for (const scorer of [heuristicsScorer, identityScorer] as Scorer<unknown>[]) {
  const config = scorer.config.parse({});
  const once = () => scorer.score(records, config, { seed: 0 });
  for (let i = 0; i < 3; i++) once();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    once();
    best = Math.min(best, performance.now() - t0);
  }
  console.log(
    `${scorer.id}: ${Math.round((records.length / best) * 1000)} records/s (${records.length} records, ${Math.round(chars)} chars each)`,
  );
}
