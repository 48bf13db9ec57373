import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { decodeMatrix, MemoryVectorCache, textToVector, vectorToText } from '../../../src/embed/index.ts';
import { memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { embedKey } from '../../../src/pipeline/keys.ts';
import { type AiBinding, createProviders } from '../../../src/providers/index.ts';
import { dataFile } from '../../support/data.ts';

const ALPACA = dataFile('alpaca-random-9k.json');

/** A stand-in Workers AI binding: a text's vector is its character histogram over 32 buckets. */
function stubAi(dim: number) {
  const texts: string[] = [];
  const ai: AiBinding = {
    async run(_model, input) {
      const { text } = input as { text: string[] };
      texts.push(...text);
      const data = text.map((t) => {
        const v = new Array<number>(dim).fill(0);
        for (let i = 0; i < t.length; i++) v[t.charCodeAt(i) % dim] += 1;
        return v;
      });
      return { shape: [text.length, dim], data };
    },
  };
  return { ai, texts };
}

describe('the vector cache of model embedders', () => {
  it('stores vectors exactly as text', () => {
    const v = Float32Array.from([0, -1.5, Math.PI, 1e-30, Number.MAX_VALUE / 2 ** 200]);
    expect(textToVector(vectorToText(v))).toEqual(v);
    expect(vectorToText(new Float32Array([1]))).toBe('AACAPw==');
  });

  it('a re-run embeds only new contents, and its vectors equal an uncached run', async () => {
    const rows = (JSON.parse(readFileSync(ALPACA, 'utf8')) as unknown[]).slice(0, 500);
    const recipe = RecipeSchema.parse({
      shardBytes: 48 * 1024,
      scorers: [{ id: 'length' }, { id: 'lexical' }],
      providers: { ai: { kind: 'workers-ai', model: '@cf/meta/llama-3.1-8b-instruct' } },
      embed: { id: 'workers-ai', config: { provider: 'ai', model: '@cf/baai/bge-small-en-v1.5', dim: 384 } },
      cluster: { k: 3 },
      select: { budget: '30%' },
    });
    const { ai, texts } = stubAi(384);
    const vectors = new MemoryVectorCache();
    const deps = {
      vectors: () => vectors,
      providers: (c: typeof recipe.providers) => createProviders(c, { fetch, secrets: {}, ai }),
    };
    const a = await memoryJob({ 'datasets/d/upload': JSON.stringify(rows.slice(0, 450)) }, recipe, {
      id: 'j1',
    });
    const first = await runLocal(a.store, a.spec, deps);
    expect(first.embedding).toEqual({ embedder: 'workers-ai', computed: texts.length, cached: 0 });
    expect(texts.length).toBeGreaterThan(440); // one text per distinct content
    const sent = texts.length;
    await a.store.put(
      'datasets/d/parts/0001',
      rows
        .slice(450)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const part = (await a.store.head('datasets/d/parts/0001'))!;
    const spec = { ...a.spec, id: 'j2', objects: [...a.spec.objects, part], previous: 'j1' };
    const second = await runLocal(a.store, spec, deps);
    expect(texts.length - sent).toBe(second.embedding!.computed);
    expect(second.embedding!.computed).toBeLessThanOrEqual(50);
    expect(second.embedding!.cached).toBe(first.counts.valid);
    // The same vectors as embedding everything again without the cache.
    const fresh = await runLocal(
      a.store,
      { ...spec, id: 'j3', previous: undefined, recipe: { ...recipe, cache: false } },
      deps,
    );
    expect(fresh.embedding!.computed).toBe(fresh.counts.valid);
    const shard = (job: string) => decodeMatrix(a.store.objects.get(embedKey(job, 0, 'embed'))!).data;
    expect(shard('j2')).toEqual(shard('j3'));
    expect(await memoryOutput(a.store, 'j2', 'selected.jsonl')).toBe(
      await memoryOutput(a.store, 'j3', 'selected.jsonl'),
    );
  });
});
