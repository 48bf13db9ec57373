/**
 * The batch sampler's policies on a simulated training run (bench/sampler-sim-model.ts), several seeds.
 *
 *   node bench/sampler-sim.ts [--seeds 5] [--batch 256] [--steps 500] [--remaining 0.2] [--scale 1]
 *                             [--batches 64,256,1024] [--out sampler-sim]
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
  buildWorld,
  COMPONENTS,
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

const seconds = (performance.now() - started) / 1000;
const n = SPEC.reduce((a, c) => a + c.size, 0);
const md = `# Sampler policies on a simulated training run

${n.toLocaleString('en-US')} examples in ${SPEC.length} components; batch ${BATCH}, ${STEPS} steps (${(budget / n).toFixed(1)} epochs); seeds ${SEEDS.join(', ')} (mean ± sd). Target: the mean noiseless loss over the learnable examples at ${REMAINING} of its reducible part (initial − floor). Noise share: served examples from the noise component; noise weight: the sampler's mean probability for it. ${seconds.toFixed(1)} s.

${mainTable}

Share of the served examples per component, % (mean over seeds):

${shareTable}

Same sample budget (${budget.toLocaleString('en-US')} examples) at other batch sizes: examples to target / noise share.

${sensitivityTable}
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
