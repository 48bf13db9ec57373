/**
 * The benchmark reference: the same pipeline core in one Node process, with no queues, Durable
 * Objects or R2 (`runLocal` over a `MemoryStore`), budget 30% and the default recipe otherwise.
 *
 *   node bench/reference.ts <input> [outDir]
 *
 * Prints one JSON line: {seconds, records, peakRssMb, selected, counts, stages}. `seconds` runs from
 * before the input is read to after the outputs are written (to `outDir`, when given).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecipeSchema } from '../schemas/recipe.ts';
import { memoryJob, memoryOutput, OUTPUT_FILES, runLocal } from '../src/pipeline/index.ts';
import { peakRssMb } from './proc.ts';

const [input, outDir] = process.argv.slice(2);
if (!input) {
  process.stderr.write('usage: node bench/reference.ts <input> [outDir]\n');
  process.exit(2);
}

const t0 = performance.now();
const { store, spec } = await memoryJob(
  { input: readFileSync(input) },
  RecipeSchema.parse({ select: { budget: '30%' } }),
  { id: 'bench', dataset: 'bench' },
);
const report = await runLocal(store, spec);

if (outDir) {
  mkdirSync(outDir, { recursive: true });
  for (const file of OUTPUT_FILES) writeFileSync(join(outDir, file), memoryOutput(store, spec.id, file));
  writeFileSync(join(outDir, 'report.json'), JSON.stringify(report, null, 2));
}

const result = {
  seconds: (performance.now() - t0) / 1000,
  records: report.counts.input,
  peakRssMb: peakRssMb(),
  selected: report.counts.selected,
  counts: report.counts,
  stages: report.stages,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
