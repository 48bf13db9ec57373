import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { isWinnowError } from '../../../src/errors.ts';
import {
  JSONL,
  MemoryStore,
  memoryJob,
  memoryOutput,
  type OutputManifest,
  outputManifestKey,
  runLocal,
} from '../../../src/pipeline/index.ts';

/** A store that does not say how many bytes it stored (as a BlobStore may not): export counts them. */
class SilentStore extends MemoryStore {
  override async put(key: string, data: Uint8Array | string): Promise<undefined> {
    await super.put(key, data);
    return undefined;
  }
}

async function finished(silent = false) {
  // A record of 2-, 3- and 4-byte UTF-8 characters, so that counting bytes is not counting characters.
  const wide = JSON.stringify({ instruction: 'Écris « bonjour » 你好', output: 'Bonjour, 你好 😀 — voilà.' });
  const { store, spec } = await memoryJob(
    { 'in.jsonl': `${generateDemo({ records: 200, seed: 4 })}${wide}\n` },
    RecipeSchema.parse({ shardBytes: 4096, select: { budget: 30 } }),
    silent ? { store: new SilentStore() } : {},
  );
  const report = await runLocal(store, spec);
  const manifest = JSON.parse(
    new TextDecoder().decode(store.objects.get(outputManifestKey(spec.id))),
  ) as OutputManifest;
  return { store, spec, report, manifest };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

describe('the output manifest', () => {
  it('lists every output with its part keys, sizes and content type, report.json included', async () => {
    const { store, report, manifest } = await finished();
    expect(manifest.files.map((f) => f.name)).toEqual(report.outputs);
    expect(report.outputs).toEqual([
      'selected.jsonl',
      'rejected.jsonl',
      'invalid.jsonl',
      'weights.jsonl',
      'README.md',
      'provenance.json',
      'report-data.json',
      'report.html',
      'report.json',
    ]);
    for (const f of manifest.files) {
      expect(f.bytes).toBe(f.parts.reduce((a, p) => a + p.bytes, 0));
      for (const p of f.parts) expect(store.objects.get(p.key)?.byteLength).toBe(p.bytes);
    }
    const selected = manifest.files.find((f) => f.name === 'selected.jsonl')!;
    expect(selected.contentType).toBe(JSONL);
    expect(selected.parts).toHaveLength(report.stages.ingest.shards);
    expect(manifest.files.at(-1)).toMatchObject({ name: 'report.json', contentType: 'application/json' });
    expect(JSON.parse(await memoryOutput(store, 'job', 'report.json'))).toEqual(report);
  });

  it("has every part's true size from a store that does not report what it stored", async () => {
    const { store, manifest } = await finished(true);
    for (const f of manifest.files)
      for (const p of f.parts) expect(store.objects.get(p.key)?.byteLength, p.key).toBe(p.bytes);
    const all = manifest.files.find((f) => f.name === 'selected.jsonl')!;
    const text = [
      await memoryOutput(store, 'job', 'selected.jsonl'),
      await memoryOutput(store, 'job', 'rejected.jsonl'),
    ].join('');
    expect(text).toContain('你好 😀');
    expect(all.bytes).toBeGreaterThan(0);
  });

  it('a missing or short part is an error naming its key, never a short file', async () => {
    const { store, manifest } = await finished();
    const part = manifest.files.find((f) => f.name === 'rejected.jsonl')!.parts[1];
    const bytes = store.objects.get(part.key)!;
    store.objects.set(part.key, bytes.subarray(0, bytes.byteLength - 10));
    const short = await failure(memoryOutput(store, 'job', 'rejected.jsonl'));
    expect(isWinnowError(short) && short.code).toBe('output_missing');
    expect(short.message).toBe(
      `output rejected.jsonl cannot be served: part ${part.key} holds ${bytes.byteLength - 10} bytes, the manifest says ${bytes.byteLength}`,
    );
    store.objects.delete(part.key);
    const gone = await failure(memoryOutput(store, 'job', 'rejected.jsonl'));
    expect(gone.message).toBe(`output rejected.jsonl cannot be served: part ${part.key} is missing`);
    // An output the job did not write is not found, with the ones it did.
    expect((await failure(memoryOutput(store, 'job', 'pairs.jsonl'))).message).toBe(
      'no output "pairs.jsonl"; outputs: selected.jsonl, rejected.jsonl, invalid.jsonl, weights.jsonl, README.md, provenance.json, report-data.json, report.html, report.json',
    );
  });
});

describe('output lines', () => {
  it('carry each record as the input gave it: its row text spliced in, equal to the parsed row', async () => {
    const rows = [
      '{"instruction": "Name a color.",  "input": "", "output": "Blue $& $1 \\u00e9"}',
      '{"output":"Red.","instruction":"Another color?","n":1.50,"big":12345678901234567890}',
      '{"instruction":"Say \\"record\\":0,\\"scores\\": twice","output":"\\"record\\":0,\\"scores\\":"}',
    ];
    const { store, spec } = await memoryJob(
      { 'in.jsonl': `${rows.join('\n')}\n` },
      RecipeSchema.parse({ select: { budget: 2, filters: [] } }),
    );
    await runLocal(store, spec);
    const lines: string[] = [];
    for (const f of ['selected.jsonl', 'rejected.jsonl'])
      lines.push(...(await memoryOutput(store, spec.id, f)).split('\n').filter(Boolean));
    expect(lines).toHaveLength(3);
    for (const row of rows) {
      const line = lines.find((l) => l.includes(row));
      // The row verbatim (spacing, number forms, escapes), and the line is JSON whose record is that row.
      expect(line, row).toBeDefined();
      expect(JSON.parse(line!).record).toEqual(JSON.parse(row));
      expect(Object.keys(JSON.parse(line!)).slice(0, 5)).toEqual([
        'id',
        'hash',
        'source',
        'record',
        'scores',
      ]);
    }
  });
});
