/**
 * Accelerated in-context selection against full golden scoring, on the stand-in LM served over HTTP
 * (or a real OpenAI-compatible endpoint with prompt log-probs: --endpoint, --model).
 *
 *   node bench/incontext.ts [--quick] [--n 2000] [--anchors 24] [--k 20,50] [--rates 0.1,0.15,0.2,0.25]
 *                           [--min 3] [--lambda-cache 0.2] [--seed 1] [--endpoint URL --model NAME] [--reuse]
 *
 * Every candidate is scored in full through goldenScorer and the provider layer (no response cache,
 * so every request reaches the server and is counted). The anchors are split into two halves scored
 * as two golden models, so the split-half agreement of the golden score itself is measured for free:
 * the full score is the mean of the halves. Output: a markdown table on stdout; the full scores and the
 * trials in bench/out/incontext-{scores-,}<n>-<anchors>-<seed>-<cache λ or model>.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SCORERS } from '../schemas/recipe.ts';
import { fitKmeans } from '../src/cluster/index.ts';
import { mulberry32 } from '../src/demo/random.ts';
import { HashedConfigSchema, hashedEmbedder } from '../src/embed/index.ts';
import { createProviders } from '../src/providers/index.ts';
import {
  chooseAnchors,
  GoldenConfigSchema,
  type GoldenModel,
  goldenScorer,
} from '../src/score/golden/index.ts';
import { resolveScorers, type ScoreInput, scoreColumn } from '../src/score/index.ts';
import { splitExample } from '../src/score/prompt.ts';
import { seededTopOverlap } from '../src/select/incontext/index.ts';
import { spearman } from '../src/select/strategies/index.ts';
import { hashUniform } from '../src/util/hash-uniform.ts';
import { createModel, readAlpaca, scoreInput, startStandin } from '../test/support/standin-lm/index.ts';
import {
  type Candidates,
  gaussianOverlap,
  runTrial,
  type Trial,
  tieAwareOverlap,
  topIndices,
  VARIANTS,
} from './incontext-eval.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    n: { type: 'string' },
    anchors: { type: 'string' },
    k: { type: 'string' },
    rates: { type: 'string' },
    min: { type: 'string', default: '3' },
    'lambda-cache': { type: 'string', default: '0.2' },
    seed: { type: 'string', default: '1' },
    endpoint: { type: 'string' },
    model: { type: 'string' },
  },
});
const quick = args.quick;
const N = Number(args.n ?? (quick ? 400 : 2000));
const A = Number(args.anchors ?? 24);
const KS = (args.k ?? (quick ? '10' : '20,50')).split(',').map(Number);
const RATES = (args.rates ?? (quick ? '0.15,0.2' : '0.1,0.15,0.2,0.25')).split(',').map(Number);
const MIN = Number(args.min);
const SEED = Number(args.seed);
const FRACTION = 0.3;
const OUT = join(resolve(import.meta.dirname), 'out');

/** N distinct candidates (seeded), in ascending key order. */
function candidates(): ScoreInput[] {
  const rows = readAlpaca('alpaca-random-9k.json');
  const rng = mulberry32(SEED);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const seen = new Set<string>();
  const out: ScoreInput[] = [];
  for (const i of order) {
    const r = scoreInput(rows[i], `r${i}`);
    if (out.length < N && !seen.has(r.hash)) [seen.add(r.hash), out.push(r)];
  }
  return out.sort((a, b) => hashUniform(a.hash) - hashUniform(b.hash));
}

const lm = args.endpoint
  ? undefined
  : await startStandin({ model: createModel(undefined, { lambdaCache: Number(args['lambda-cache']) }) });
const baseUrl = args.endpoint ?? lm!.url;
const modelName = args.model ?? lm!.modelName;
const noCache = { get: async () => null, put: async () => {} };
const providers = createProviders(
  { lm: { kind: 'openai', baseUrl, model: modelName, concurrency: 32, requestBudget: A * (N + 1) } },
  { fetch, secrets: {}, cache: noCache },
);

const cands = candidates();
const pool = readAlpaca('alpaca-gpt4-anchors-100.json').map((r, i) => scoreInput(r, `a${i}`));
const picked = chooseAnchors(
  pool.map((r) => {
    const e = splitExample(r.turns);
    return `${e.instruction}\n${e.answer}`;
  }),
  A,
  SEED,
).map((i) => pool[i]);
const halves = [picked.filter((_, j) => j % 2 === 0), picked.filter((_, j) => j % 2 === 1)];

interface FullScores {
  ids: string[];
  halves: number[][];
  calls: { provider: number; server: number };
  seconds: number;
}

/** Every candidate scored against each half of the anchors, counting the calls. */
async function scoreFull(): Promise<FullScores> {
  const t0 = performance.now();
  let server = 0;
  const out: number[][] = [];
  for (const half of halves) {
    const config = GoldenConfigSchema.parse({ provider: 'lm', anchors: 'half', maxAnchors: half.length });
    const fit = await goldenScorer.fit!({ self: [], references: { half }, seed: SEED, providers }, config);
    const model = fit.model as GoldenModel;
    if (model.anchors.length !== half.length) throw new Error('an anchor has no answer to score');
    const g: number[] = [];
    for (let i = 0; i < cands.length; i += 200) {
      const rows = await goldenScorer.score(cands.slice(i, i + 200), config, {
        seed: SEED,
        model,
        providers,
      });
      g.push(...rows.map((r) => r.scores.golden));
      server += lm?.stats().completions ?? Number.NaN;
      lm?.resetStats();
    }
    out.push(g);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    ids: cands.map((r) => r.id),
    halves: out,
    calls: { provider: providers.usage().requests, server },
    seconds,
  };
}

// --reuse: the full scores of an earlier run with the same settings (no model calls).
const scoresFile = join(
  OUT,
  `incontext-scores-${N}-${A}-${SEED}-${args.endpoint ? modelName : args['lambda-cache']}.json`,
);
const scored: FullScores =
  args.reuse && existsSync(scoresFile) ? JSON.parse(readFileSync(scoresFile, 'utf8')) : await scoreFull();
if (scored.ids.join() !== cands.map((r) => r.id).join())
  throw new Error(`${scoresFile} is for other candidates`);
mkdirSync(OUT, { recursive: true });
writeFileSync(scoresFile, JSON.stringify(scored));
const fullCalls = A * (N + 1);
const { provider: providerCalls, server: serverCalls } = scored.calls;
if (providerCalls !== fullCalls || (lm && serverCalls !== fullCalls)) {
  throw new Error(
    `expected ${fullCalls} calls, the provider made ${providerCalls}, the server saw ${serverCalls}`,
  );
}
const [ga, gb] = scored.halves.map((h) => Float64Array.from(h));
const sizes = halves.map((h) => h.length);
const full = Float64Array.from(ga, (x, i) => (x * sizes[0] + gb[i] * sizes[1]) / A);

// Cheap scores and embeddings, as the pipeline has them before any model call.
const features: number[][] = cands.map(() => []);
const featureNames: string[] = [];
for (const ref of resolveScorers(DEFAULT_SCORERS)) {
  const model = ref.scorer.fit
    ? (await ref.scorer.fit({ self: cands, references: {}, seed: SEED }, ref.config)).model
    : undefined;
  const rows = await scoreColumn(cands, ref, { seed: SEED, model });
  featureNames.push(...ref.scorer.outputs);
  rows.forEach((r, i) => {
    features[i].push(...ref.scorer.outputs.map((o) => r.scores[o] ?? 0));
  });
}
const hc = HashedConfigSchema.parse({});
const idf = hashedEmbedder.prepare!.finalize(hashedEmbedder.prepare!.partial(cands, hc), hc);
const vecs = (await hashedEmbedder.embed(cands, hc, { model: idf })) as Float32Array;
const c: Candidates = {
  n: cands.length,
  dim: hc.dim,
  vecs,
  keys: Float64Array.from(cands, (r) => hashUniform(r.hash)),
  features: Float64Array.from(features.flat()),
  f: featureNames.length,
  full,
};

const trials: Trial[] = [];
for (const k of KS) {
  const { labels } = fitKmeans({ data: vecs, n: c.n, dim: c.dim }, { k, seed: SEED });
  for (const rate of RATES)
    for (const v of Object.keys(VARIANTS)) trials.push(runTrial(c, labels, k, rate, MIN, v, FRACTION));
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const hist = new Map<number, number>();
for (const g of full) hist.set(g, (hist.get(g) ?? 0) + 1);
const reliability = {
  spearman: spearman(ga, gb),
  overlap: seededTopOverlap(ga, gb, FRACTION, SEED),
  overlapTies: tieAwareOverlap(ga, topIndices(gb, FRACTION), FRACTION),
};
const lines = [
  `${lm ? `stand-in (cache λ = ${args['lambda-cache']})` : `${modelName} at ${baseUrl}`}: ${N} candidates × ${A} anchors, full scoring ${fullCalls} calls in ${scored.seconds.toFixed(0)} s (provider ${providerCalls}${lm ? `, server ${serverCalls}` : ''})`,
  `golden: mean ${f3(full.reduce((s, x) => s + x, 0) / N)}; values ${[...hist]
    .sort((a, b) => a[0] - b[0])
    .map(([g, n]) => `${(g * A).toFixed(0)}/${A}:${n}`)
    .join(' ')}`,
  `split halves (${sizes.join(' + ')} anchors): spearman ${f3(reliability.spearman)}, top-30% overlap ${f3(reliability.overlap)} (ties at random ${f3(reliability.overlapTies)})`,
  '',
  '| k | rate | sampled | calls ratio | estimator | spearman (unscored) | spearman (all) | top-30% overlap | overlap (ties at random) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...trials.map(
    (t) =>
      `| ${t.k} | ${t.rate} | ${t.sampled} | ${f3(t.callsRatio)} | ${t.variant} | ${f3(t.spearmanUnscored)} | ${f3(t.spearmanAll)} | ${f3(t.overlap)} | ${f3(t.overlapTies)} |`,
  ),
];
const needed = [0.5, 0.7, 0.8, 0.9, 0.95].map((rho) => ({
  rho,
  overlap: gaussianOverlap(rho, 0.2, FRACTION),
}));
lines.push(
  '',
  `Gaussian reference, rate 0.2: overlap when the estimates correlate ρ with the full score: ${needed.map((x) => `ρ ${x.rho} → ${f3(x.overlap)}`).join(', ')}`,
);
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(
  scoresFile.replace('incontext-scores-', 'incontext-'),
  JSON.stringify(
    {
      n: N,
      anchors: A,
      lambdaCache: Number(args['lambda-cache']),
      featureNames,
      reliability,
      needed,
      trials,
      fullCalls,
      scoreSeconds: scored.seconds,
    },
    null,
    1,
  ),
);
await lm?.close();
