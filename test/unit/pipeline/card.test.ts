import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { sizeCategory, trainFiles } from '../../../src/export/card.ts';
import { recipeHash } from '../../../src/export/provenance.ts';
import { memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { canonicalJson } from '../../../src/util/canonical-json.ts';
import { WINNOW_VERSION } from '../../../src/version.ts';

const ROOT = join(import.meta.dirname, '../../..');
const recipe = RecipeSchema.parse({
  shardBytes: 8192,
  select: { budget: '25%', strategy: { id: 'balanced' } },
  cluster: { algorithm: 'kmeans', k: 4 },
});

/** The demo's records as one JSONL object, and a run of the recipe over them. */
async function run(id: string, data: string) {
  const { store, spec } = await memoryJob({ 'in.jsonl': data }, recipe, { id });
  const report = await runLocal(store, spec);
  return { store, spec, report };
}

/** The card's YAML front matter, as lines. */
const frontMatter = (card: string) => card.split('\n---\n')[0].split('\n').slice(1);

describe('the dataset card and provenance.json', () => {
  const data = generateDemo({ records: 400, seed: 11 });

  it('README.md has Hugging Face front matter and a body from the report; provenance.json hashes the input', async () => {
    const { store, spec, report } = await run('job', data);
    const card = await memoryOutput(store, 'job', 'README.md');
    const n = report.counts.selected;
    expect(n).toBe(100);
    expect(frontMatter(card)).toEqual([
      'license: "unknown"',
      'pretty_name: "d (Winnow selection)"',
      'size_categories:',
      '- "n<1K"',
      'task_categories:',
      '- text-generation',
      'tags:',
      '- winnow',
      '- data-selection',
      'configs:',
      '- config_name: default',
      '  data_files:',
      '  - split: train',
      '    path: "selected.jsonl"',
      'dataset_info:',
      '  splits:',
      '  - name: train',
      `    num_examples: ${n}`,
    ]);
    expect(card).toContain(`100 of ${report.counts.valid} valid records (`);
    // Every reason with its count, every scorer with its version, every cluster with its size.
    for (const [why, count] of Object.entries(report.rejectedByReason))
      expect(card).toMatch(new RegExp(`^\\| ${why} \\| ${count.toLocaleString('en-US')} \\|`, 'm'));
    for (const id of ['length', 'lexical', 'heuristics', 'identity', 'perplexity'])
      expect(card).toMatch(new RegExp(`^\\| ${id} \\| \\d+ \\|`, 'm'));
    for (const [name, s] of Object.entries(report.scores))
      expect(card).toContain(`| ${name} | ${s.count.toLocaleString('en-US')} | `);
    report.clusters!.sizes.forEach((size, c) => {
      const sel = report.selection.perCluster!.find((p) => p.cluster === c)!.selected;
      expect(card).toContain(`| ${c} | ${size.toLocaleString('en-US')} | ${sel.toLocaleString('en-US')} |`);
    });
    expect(card).toContain('"strategy": {\n      "id": "balanced"');

    const prov = JSON.parse(await memoryOutput(store, 'job', 'provenance.json'));
    expect(prov).toMatchObject({
      winnow: WINNOW_VERSION,
      job: 'job',
      dataset: 'd',
      createdAt: spec.createdAt,
      seed: 0,
      recipeSha256: createHash('sha256').update(canonicalJson(spec.recipe)).digest('hex'),
      inputs: [
        {
          part: 0,
          key: 'in.jsonl',
          bytes: Buffer.byteLength(data),
          etag: spec.objects[0].etag,
          sha256: createHash('sha256').update(data).digest('hex'),
        },
      ],
    });
    expect(prov.outputs.map((o: { name: string }) => o.name)).toEqual([
      'selected.jsonl',
      'rejected.jsonl',
      'invalid.jsonl',
      'weights.jsonl',
      'clusters.json',
      'report-data.json',
    ]);
  });

  it('a re-run writes the same card apart from its timestamp, and reads no input again for the digest', async () => {
    const first = await run('one', data);
    const again = await runLocal(first.store, {
      ...first.spec,
      id: 'two',
      createdAt: '2030-01-01T00:00:00.000Z',
    });
    expect(again.counts).toEqual(first.report.counts);
    const a = await memoryOutput(first.store, 'one', 'README.md');
    const b = await memoryOutput(first.store, 'two', 'README.md');
    expect(b).not.toBe(a);
    expect(b.replace('2030-01-01T00:00:00.000Z', first.spec.createdAt)).toBe(a);
    // The second job found the digest kept for this version of in.jsonl: its card stage read no input.
    const reads: string[] = [];
    let stage = '';
    const range = first.store.range.bind(first.store);
    first.store.range = (key, ...rest) => {
      if (key === 'in.jsonl') reads.push(stage);
      return range(key, ...rest);
    };
    await runLocal(first.store, { ...first.spec, id: 'three' }, {}, { beforeTask: (t) => (stage = t.stage) });
    expect(new Set(reads)).toEqual(new Set(['plan', 'ingest']));
    first.store.range = range;
    const two = JSON.parse(await memoryOutput(first.store, 'two', 'provenance.json'));
    expect(two.inputs).toEqual(JSON.parse(await memoryOutput(first.store, 'one', 'provenance.json')).inputs);
    expect(two.recipeSha256).toBe(recipeHash(first.spec.recipe));
  });

  it('names the train files and the size category as the Hub does', () => {
    expect(trainFiles([{ name: 'selected.jsonl' }, { name: 'train.jsonl' }])).toBe('train.jsonl');
    expect(trainFiles([{ name: 'data/train-00000-of-00002.parquet' }, { name: 'train.jsonl' }])).toBe(
      'data/train-*.parquet',
    );
    expect(trainFiles([{ name: 'pairs.jsonl' }])).toBe('pairs.jsonl');
    expect([999, 1000, 9_999, 10_000, 999_999, 1_000_000, 12_000_000].map(sizeCategory)).toEqual([
      'n<1K',
      '1K<n<10K',
      '1K<n<10K',
      '10K<n<100K',
      '100K<n<1M',
      '1M<n<10M',
      '10M<n<100M',
    ]);
  });

  it("WINNOW_VERSION is package.json's version", () => {
    expect(WINNOW_VERSION).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});
