/**
 * How often a partly logged rollout (a step without a logprob) is chosen or rejected, under the old rule
 * (pFloor 1e-3, a missing step counted as probability 1) and the current one (pFloor 0.05, a missing
 * step counted at the floor), on 12,000 generated rollouts: `npx node bench/pairs-missing-logprob.ts`.
 */
import { generateTrajectories } from './pairs-gen.ts';
import { referencePairs } from './pairs-reference.ts';

const lines: string[] = [];
const gen = generateTrajectories({ tasks: 2000, rollouts: 6, steps: 6, states: 1, seed: 3 });
for (let n = gen.next(); !n.done; n = gen.next()) lines.push(n.value);
const rows = lines.map((l) => JSON.parse(l));
const partial = rows.map((r) => r.steps.some((s: { logprob?: number }) => s.logprob === undefined));
const share = partial.filter(Boolean).length / rows.length;
// Old rule: floor 1e-3, a missing step adds 0 (probability 1).
const oldText = rows
  .map((r) =>
    JSON.stringify({
      ...r,
      steps: r.steps.map((s: { logprob?: number }) => (s.logprob === undefined ? { ...s, logprob: 0 } : s)),
    }),
  )
  .join('\n');
for (const [name, text, opts] of [
  ['old (pFloor 1e-3, missing = p 1)', oldText, { pFloor: 1e-3 }],
  ['new (pFloor 0.05, missing = floor)', lines.join('\n'), {}],
] as const) {
  const r = referencePairs(text, opts);
  const chosen = r.pairs.filter((p) => partial[p.chosenIndex]).length / r.pairs.length;
  const rejected = r.pairs.filter((p) => partial[p.rejectedIndex]).length / r.pairs.length;
  console.log(
    `${name}: pairs ${r.pairs.length}; chosen partly logged ${(100 * chosen).toFixed(1)}%, rejected partly logged ${(100 * rejected).toFixed(1)}% (data: ${(100 * share).toFixed(1)}%)`,
  );
}
