/**
 * The benchmark reference: the same pipeline core in one Node process, with no queues, Durable
 * Objects or R2 (`runLocal` over a `MemoryStore`), budget 30% and the default recipe otherwise.
 *
 *   node bench/reference.ts <input> [outDir]
 *
 * Prints one JSON line: {seconds, records, peakRssMb, selected, counts, stages}. `seconds` runs from
 * before the input is read to after the outputs are written (to `outDir`, when given).
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RecipeSchema } from '../schemas/recipe.ts';
import {
  memoryJob,
  type OutputManifest,
  outputChunks,
  outputManifestKey,
  runLocal,
} from '../src/pipeline/index.ts';
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
  // Every output the manifest lists, report.json included, streamed part by part to its file.
  const manifest = JSON.parse(
    new TextDecoder().decode((await store.get(outputManifestKey(spec.id)))!),
  ) as OutputManifest;
  for (const file of manifest.files) {
    const fd = openSync(join(outDir, file.name), 'w');
    for await (const chunk of outputChunks(store, file)) writeSync(fd, chunk);
    closeSync(fd);
  }
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
