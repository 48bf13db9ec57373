/**
 * The batch sampler's policies on a simulated training run (bench/sampler-sim-model.ts), several seeds.
 *
 *   node bench/sampler-sim.ts [--seeds 5] [--batch 256] [--steps 500] [--remaining 0.2] [--scale 1]
 *                             [--batches 64,256,1024] [--out sampler-sim] [--noise-sd 3]
 *
 * Prints Markdown tables and writes them to bench/out/<out>.md (raw results in <out>.json). See
 * bench/sampler-README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ARMS,
  type Arm,
  buildMixtureWorld,
  buildWorld,
  COMPONENTS,
  MIXTURE_ARMS,
  type RunResult,
  scaled,
  simulate,
} from './sampler-sim-model.ts';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    batch: { type: 'string', default: '256' },
    steps: { type: 'string', default: '500' },
    remaining: { type: 'string', default: '0.2' },
    scale: { type: 'string', default: '1' },
    batches: { type: 'string', default: '64,256,1024' },
    out: { type: 'string', default: 'sampler-sim' },
    'noise-sd': { type: 'string', default: '3' },
  },
});
const SEEDS = Array.from({ length: Number(args.seeds) }, (_, i) => i + 1);
const BATCH = Number(args.batch);
const STEPS = Number(args.steps);
const REMAINING = Number(args.remaining);
const SPEC = scaled(COMPONENTS, Number(args.scale));
const BATCHES = args.batches.split(',').map(Number);
const OUT = join(resolve(import.meta.dirname), 'out');

const started = performance.now();
const worlds = SEEDS.map((seed) => buildWorld(SPEC, seed));

function runArm(arm: Arm, batchSize: number, steps: number): RunResult[] {
  return worlds.map((w, i) =>
    simulate(w, arm.policy, {
      steps,
      batchSize,
      seed: SEEDS[i],
      remaining: REMAINING,
    }),
  );
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const pm = (xs: number[], digits: number) => `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`;
function stat(rs: RunResult[], key: 'noiseShare' | 'noiseWeight' | 'finalLoss', digits: number, scale = 1) {
  const xs = rs.map((r) => scale * r[key]);
  return pm(xs, digits);
}
/** Percent of the served examples that came from component k. */
const share = (r: RunResult, k: number) =>
  (100 * r.servedPerComponent[k]) / r.servedPerComponent.reduce((a, b) => a + b, 0);

function table(head: string[], body: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}

/** Steps to target over the seeds that reached it, with how many did. */
function reach(rs: RunResult[]): string {
  const hit = rs.flatMap((r) => (r.stepsToTarget === null ? [] : [r.stepsToTarget]));
  if (!hit.length) return `not reached (0/${rs.length})`;
  return hit.length === rs.length ? pm(hit, 0) : `${pm(hit, 0)} (${hit.length}/${rs.length})`;
}

const main = ARMS.map((arm) => ({ arm, rs: runArm(arm, BATCH, STEPS) }));
const uniformSteps = mean(main[0].rs.map((r) => r.stepsToTarget ?? Number.NaN));

const mainTable = table(
  [
    'policy',
    'steps to target',
    '× uniform',
    'noise share %',
    'noise weight %',
    `final loss @${STEPS}`,
    'steps run',
  ],
  main.map(({ arm, rs }) => {
    const steps = mean(rs.map((r) => r.stepsToTarget ?? Number.NaN));
    return [
      arm.name,
      reach(rs),
      Number.isFinite(steps) ? (steps / uniformSteps).toFixed(2) : '—',
      stat(rs, 'noiseShare', 1, 100),
      stat(rs, 'noiseWeight', 1, 100),
      stat(rs, 'finalLoss', 3),
      mean(rs.map((r) => r.stepsRun)).toFixed(0),
    ];
  }),
);

const shareTable = table(
  ['policy', ...SPEC.map((c) => `${c.name} (${c.size})`)],
  main.map(({ arm, rs }) => [arm.name, ...SPEC.map((_, k) => mean(rs.map((r) => share(r, k))).toFixed(1))]),
);

const budget = BATCH * STEPS;
const sensitivityArms = ARMS.filter((a) =>
  ['uniform', 'loss (loss)', 'loss (decrease)', 'gmm (decrease)'].includes(a.name),
);
const sensitivity = BATCHES.map((b) => ({
  b,
  cells: sensitivityArms.map((arm) => runArm(arm, b, Math.round(budget / b))),
}));
const sensitivityTable = table(
  ['batch × steps', ...sensitivityArms.map((a) => a.name)],
  sensitivity.map(({ b, cells }) => [
    `${b} × ${Math.round(budget / b)}`,
    ...cells.map((rs) => {
      const hit = rs.flatMap((r) => (r.stepsToTarget === null ? [] : [r.stepsToTarget * b]));
      const samples = hit.length ? `${(mean(hit) / 1000).toFixed(1)}k` : '—';
      return `${samples} / ${(100 * mean(rs.map((r) => r.noiseShare))).toFixed(1)}%`;
    }),
  ]),
);

// The mixture world: every policy sees a GMM fitted on simulated embeddings (same seeds, same budget).
const mixWorlds = SEEDS.map((seed) => buildMixtureWorld(SPEC, seed, { noiseSd: Number(args['noise-sd']) }));
const median = (xs: number[]) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return Number.NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const mixture = MIXTURE_ARMS.map((arm) => ({
  arm,
  rs: mixWorlds.map((w, i) =>
    simulate(w, arm.policy, {
      steps: STEPS,
      batchSize: BATCH,
      seed: SEEDS[i],
      remaining: REMAINING,
      embeddings: arm.embeddings,
    }),
  ),
}));
const mixUniform = mixture[0].rs.map((r) => r.stepsToTarget ?? Number.NaN);
const mixDecrease = mixture[1].rs.map((r) => r.stepsToTarget ?? Number.NaN);
const mixtureTable = table(
  [
    'policy',
    'steps to target (median)',
    '× uniform (median per seed)',
    '× loss (decrease) (median per seed, range)',
    'noise share % (median)',
    `final loss @${STEPS} (median)`,
  ],
  mixture.map(({ arm, rs }) => {
    const steps = rs.map((r) => r.stepsToTarget ?? Number.NaN);
    const hit = steps.filter(Number.isFinite).length;
    return [
      arm.name,
      hit ? `${median(steps).toFixed(0)}${hit < rs.length ? ` (${hit}/${rs.length})` : ''}` : 'not reached',
      median(steps.map((x, i) => x / mixUniform[i])).toFixed(2),
      (() => {
        const r = steps.map((x, i) => x / mixDecrease[i]).filter(Number.isFinite);
        return r.length
          ? `${median(r).toFixed(2)} (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)})`
          : '—';
      })(),
      median(rs.map((r) => 100 * r.noiseShare)).toFixed(1),
      median(rs.map((r) => r.finalLoss)).toFixed(3),
    ];
  }),
);
const purity = median(mixWorlds.map((w) => w.agreement));

const seconds = (performance.now() - started) / 1000;
const n = SPEC.reduce((a, c) => a + c.size, 0);
const md = `# Sampler policies on a simulated training run

${n.toLocaleString('en-US')} examples in ${SPEC.length} components; batch ${BATCH}, ${STEPS} steps (${(budget / n).toFixed(1)} epochs); seeds ${SEEDS.join(', ')} (mean ± sd). Target: the mean noiseless loss over the learnable examples at ${REMAINING} of its reducible part (initial − floor). Noise share: served examples from the noise component; noise weight: the sampler's mean probability for it. ${seconds.toFixed(1)} s.

${mainTable}

Share of the served examples per component, % (mean over seeds):

${shareTable}

Same sample budget (${budget.toLocaleString('en-US')} examples) at other batch sizes: examples to target / noise share.

${sensitivityTable}

The mixture world (noise sd ${args['noise-sd']}): the same components, seen through a GMM (k = 8) fitted on simulated embeddings; every policy gets the fitted labels (purity ${purity.toFixed(3)}: share of examples whose fitted cluster's majority true component is their own, median over seeds). Medians over seeds; ratios are per seed against the same world's run.

${mixtureTable}
`;
console.log(md);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, `${args.out}.md`), md);
writeFileSync(
  join(OUT, `${args.out}.json`),
  JSON.stringify(
    {
      seeds: SEEDS,
      batch: BATCH,
      steps: STEPS,
      remaining: REMAINING,
      spec: SPEC,
      main: main.map(({ arm, rs }) => ({ arm, results: rs })),
      mixture: mixture.map(({ arm, rs }) => ({ arm, results: rs })),
      sensitivity: sensitivity.map(({ b, cells }) => ({
        batch: b,
        arms: cells.map((rs, i) => ({ arm: sensitivityArms[i].name, results: rs })),
      })),
      seconds,
    },
    null,
    1,
  ),
);
