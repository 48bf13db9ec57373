import { describe, expect, it } from 'vitest';
import { resolveEmbedder } from '../../../src/embed/index.ts';
import { WinnowError } from '../../../src/errors.ts';
import { type AiBinding, createProviders } from '../../../src/providers/index.ts';
import { rec, row } from './support.ts';

/** A stand-in Workers AI binding: each text's vector is (length, 1, 0, …), `dim` numbers long. */
function stubAi(dim: number) {
  const calls: { model: string; text: string[] }[] = [];
  const ai: AiBinding = {
    async run(model, input) {
      const { text } = input as { text: string[] };
      calls.push({ model, text });
      return {
        shape: [text.length, dim],
        data: text.map((t) => Array.from({ length: dim }, (_, j) => (j === 0 ? t.length : j === 1 ? 1 : 0))),
      };
    },
  };
  return { ai, calls };
}

const providers = (ai: AiBinding) =>
  createProviders(
    { ai: { kind: 'workers-ai', model: '@cf/meta/llama-3.1-8b-instruct' } },
    { fetch, secrets: {}, ai },
  );

const records = Array.from({ length: 150 }, (_, i) => rec(`Question ${i}`, 'x'.repeat(i)));

describe('model embedders', () => {
  it('embed through the provider in batches of 100, with the configured model, L2-normalized', async () => {
    const { ai, calls } = stubAi(384);
    const { embedder, config } = resolveEmbedder({ id: 'workers-ai', config: { provider: 'ai' } });
    const out = (await embedder.embed(records, config, { providers: providers(ai) })) as Float32Array;
    expect(calls.map((c) => [c.model, c.text.length])).toEqual([
      ['@cf/baai/bge-small-en-v1.5', 100],
      ['@cf/baai/bge-small-en-v1.5', 50],
    ]);
    expect(calls[0].text[3]).toBe('Question 3\n\nxxx');
    expect(out).toHaveLength(150 * 384);
    const r = row(out, 384, 3);
    const len = 'Question 3\n\nxxx'.length;
    expect(r[0]).toBeCloseTo(len / Math.hypot(len, 1), 6);
    expect(r[1]).toBeCloseTo(1 / Math.hypot(len, 1), 6);
  });

  it('fail with dim_mismatch when the vectors are not the expected length', async () => {
    const { ai } = stubAi(768);
    const { embedder, config } = resolveEmbedder({ id: 'workers-ai', config: { provider: 'ai' } });
    const e = await Promise.resolve(
      embedder.embed(records.slice(0, 3), config, { providers: providers(ai) }),
    ).then(
      () => null,
      (x: unknown) => x as WinnowError,
    );
    expect(e).toBeInstanceOf(WinnowError);
    expect(e?.code).toBe('dim_mismatch');
    expect(e?.message).toMatchInlineSnapshot(
      `"embedder "workers-ai": provider "ai" returned vectors of 768 numbers, expected 384 (@cf/baai/bge-small-en-v1.5)"`,
    );
  });

  it('say how to configure a provider when there is none', async () => {
    const { embedder, config } = resolveEmbedder({ id: 'openai', config: { provider: 'lm', dim: 8 } });
    await expect(async () => embedder.embed(records, config, {})).rejects.toThrow(
      /^embedder "openai" calls a model \(provider "lm"\), but no providers are available/,
    );
  });
});
