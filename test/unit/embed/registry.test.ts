import { describe, expect, it } from 'vitest';
import {
  getEmbedder,
  hashedEmbedder,
  listEmbedders,
  registerEmbedder,
  resolveEmbedder,
} from '../../../src/embed/index.ts';
import { WinnowError } from '../../../src/errors.ts';

function thrown(f: () => unknown): WinnowError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WinnowError);
    return e as WinnowError;
  }
  throw new Error('did not throw');
}

describe('embedder registry', () => {
  it('registers the built-ins at import, once each', () => {
    expect(listEmbedders().map((e) => [e.id, e.kind])).toEqual([
      ['tfidf', 'offline'],
      ['hashed', 'offline'],
      ['workers-ai', 'model'],
      ['openai', 'model'],
    ]);
    expect(getEmbedder('hashed')).toBe(hashedEmbedder);
    expect(() => registerEmbedder(hashedEmbedder)).toThrow('embedder "hashed" is registered twice');
  });

  it('names the known ids when one is unknown', () => {
    expect(thrown(() => getEmbedder('bert')).message).toMatchInlineSnapshot(
      `"unknown embedder "bert"; known: hashed, openai, tfidf, workers-ai"`,
    );
    // An unknown embedder has its own code, as an unknown scorer has.
    expect(thrown(() => getEmbedder('bert')).code).toBe('unknown_embedder');
    const e = thrown(() => resolveEmbedder({ id: 'bert' }, 'recipe.embed'));
    expect(e.code).toBe('validation_failed');
    expect(e.details).toEqual([
      {
        code: 'unknown_embedder',
        path: 'recipe.embed.id',
        message: 'unknown embedder "bert"; known: hashed, openai, tfidf, workers-ai',
      },
    ]);
  });

  it('applies config defaults and reports every issue with its path', () => {
    expect(resolveEmbedder({ id: 'hashed' })).toMatchObject({
      config: { dim: 256, field: 'both', charNgrams: [3, 5], seed: 0 },
      dim: 256,
    });
    expect(resolveEmbedder({ id: 'tfidf' })).toMatchObject({
      config: { dim: 128, field: 'both', bigrams: true, vocabulary: 16384, minDf: 1, maxDf: 1, seed: 0 },
      dim: 128,
    });
    expect(resolveEmbedder({ id: 'workers-ai', config: { provider: 'ai' } })).toMatchObject({
      config: { provider: 'ai', model: '@cf/baai/bge-small-en-v1.5' },
      dim: 384,
    });
    expect(
      resolveEmbedder({ id: 'openai', config: { provider: 'p', model: 'BAAI/bge-base-en-v1.5' } }).dim,
    ).toBe(768);
    expect(resolveEmbedder({ id: 'openai', config: { provider: 'p', dim: 1536 } }).dim).toBe(1536);
    const e = thrown(() => resolveEmbedder({ id: 'hashed', config: { dim: 10, extra: 1 } }));
    expect((e.details as { path: string }[]).map((d) => d.path)).toEqual([
      'embed.config.dim',
      'embed.config',
    ]);
  });

  it('asks for dim when the model is not known, and checks it when it is', () => {
    expect(
      thrown(() => resolveEmbedder({ id: 'openai', config: { provider: 'p' } })).message,
    ).toMatchInlineSnapshot(
      `"embed.config.dim: dim is required unless model names a known embedding model (bge-small-en-v1.5 384, bge-base-en-v1.5 768, bge-large-en-v1.5 1024, bge-m3 1024, text-embedding-3-small 1536, text-embedding-3-large 3072, text-embedding-ada-002 1536)"`,
    );
    expect(
      thrown(() => resolveEmbedder({ id: 'openai', config: { provider: 'p', model: 'nomic-embed-text' } }))
        .message,
    ).toMatch(/^embed\.config\.dim: dim is required: the length of nomic-embed-text's vectors is not known/);
    expect(
      thrown(() =>
        resolveEmbedder({
          id: 'workers-ai',
          config: { provider: 'ai', model: '@cf/baai/bge-large-en-v1.5', dim: 384 },
        }),
      ).message,
    ).toMatchInlineSnapshot(`"embed.config.dim: @cf/baai/bge-large-en-v1.5 returns 1024 numbers, not 384"`);
  });
});
