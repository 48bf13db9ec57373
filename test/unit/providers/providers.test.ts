import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProvidersSchema } from '../../../schemas/provider.ts';
import { WinnowError } from '../../../src/errors.ts';
import {
  codePoints,
  continuationSlice,
  createProviders,
  MemoryResponseCache,
  parseRetryAfter,
  responseCacheKey,
} from '../../../src/providers/index.ts';
import { type Standin, startStandin } from '../../support/standin-lm/index.ts';

let lm: Standin;
beforeAll(async () => {
  lm = await startStandin({ apiKey: 'sk-test' });
});
afterAll(() => lm.close());

const noSleep = async () => {};
const openai = (over: Record<string, unknown> = {}) =>
  createProviders(
    { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, apiKeySecret: 'LM_KEY', ...over } },
    { fetch, secrets: { LM_KEY: 'sk-test' }, sleep: noSleep },
  ).get('lm');

function thrown(f: () => unknown): WinnowError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WinnowError);
    return e as WinnowError;
  }
  throw new Error('did not throw');
}

/** The continuation's log-probs computed by hand from the model: tokens ending after the context. */
function byHand(context: string, continuation: string): number[] {
  const { tokens, offsets, logprobs } = lm.model.promptLogprobs(context + continuation);
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const end = offsets[i] + [...tokens[i]].length;
    if (end > codePoints(context) && logprobs[i] !== null) out.push(logprobs[i] as number);
  }
  return out;
}

describe('OpenAI-compatible provider', () => {
  it('returns the log-probs of the continuation tokens only', async () => {
    const p = openai();
    const ctx = 'Give three tips for staying healthy.\n\n';
    const cont = 'Eat a balanced diet and get enough sleep.';
    const got = await p.continuationLogprobs(ctx, cont);
    const all = lm.model.promptLogprobs(ctx + cont);
    const first = all.offsets.indexOf(ctx.length);
    expect(got).toEqual(all.logprobs.slice(first));
    expect(got).toEqual(byHand(ctx, cont));
    expect(got).toHaveLength(lm.model.tokenize(cont).tokens.length);
  });

  it('counts a token straddling the boundary as continuation, and skips the first token', async () => {
    const p = openai();
    // "wor" + "ld is big": the token "world" starts in the context and ends in the continuation.
    const straddle = await p.continuationLogprobs('Hello wor', 'ld is big');
    const all = lm.model.promptLogprobs('Hello world is big');
    expect(all.tokens).toEqual(['Hello', ' ', 'world', ' ', 'is', ' ', 'big']);
    expect(straddle).toEqual(all.logprobs.slice(2));
    // An empty context: the first token has no log-prob (null in the echo) and is skipped.
    const alone = await p.continuationLogprobs('', 'Hello world is big');
    expect(alone).toEqual(all.logprobs.slice(1));
    expect(await p.continuationLogprobs('anything', '')).toEqual([]);
  });

  it('reads offsets in code points, skips BOS and generated tokens', () => {
    const lp = {
      tokens: ['<s>', '😀', ' hi', ' there', ' gen'],
      token_logprobs: [null, -1, -2, -3, -4],
      text_offset: [0, 0, 1, 4, 10],
    };
    expect(codePoints('😀 hi')).toBe(4);
    expect(continuationSlice(lp, 0, 10)).toEqual([-1, -2, -3]);
    expect(continuationSlice(lp, codePoints('😀'), 10)).toEqual([-2, -3]);
    expect(continuationSlice(lp, codePoints('😀 h'), 10)).toEqual([-2, -3]);
  });

  it('parses chat log-probs with their top alternatives', async () => {
    const res = await openai().chat({
      messages: [
        {
          role: 'user',
          content:
            '### Response:\nParis is the capital of France.\n\n### Task:\nRate this on a scale of 0 to 5.',
        },
      ],
      topLogprobs: 2,
    });
    const v = lm.model.judge('Paris is the capital of France.', 0, 5);
    expect(res.text).toBe(`Score: ${v.rating}\n${v.explanation}`);
    const digit = res.logprobs?.find((t) => t.token === String(v.rating));
    expect(digit?.top).toEqual(v.digits.slice(0, 2));
  });

  it('sends the API key from the named secret; a wrong key is a 401, not retried', async () => {
    const bad = createProviders(
      { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, apiKeySecret: 'LM_KEY' } },
      { fetch, secrets: { LM_KEY: 'wrong' }, sleep: noSleep },
    );
    await expect(bad.get('lm').chat({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(
      /HTTP 401/,
    );
    expect(bad.usage().requests).toBe(1);
    await expect(openai().chat({ messages: [{ role: 'user', content: 'hi' }] })).resolves.toBeTruthy();
  });

  it('says so when the server has no prompt log-probs', async () => {
    await expect(openai({ completions: false }).continuationLogprobs('a', 'b')).rejects.toThrow(
      /has completions: false, so it cannot return prompt log-probs/,
    );
  });
});

describe('createProviders', () => {
  it('names the known providers for an unknown one', () => {
    const set = createProviders(
      { b: { kind: 'workers-ai', model: '@cf/x' }, a: { kind: 'openai', baseUrl: lm.url, model: 'm' } },
      { fetch, secrets: {} },
    );
    const e = thrown(() => set.get('judge'));
    expect(e.code).toBe('unknown_provider');
    expect(e.message).toMatchInlineSnapshot(`"unknown provider "judge"; known: a, b"`);
    expect(thrown(() => createProviders({}, { fetch, secrets: {} }).get('x')).message).toMatchInlineSnapshot(
      `"unknown provider "x": the recipe configures no providers"`,
    );
  });

  it('asks for the AI binding and for missing secrets', () => {
    const set = createProviders(
      {
        ai: { kind: 'workers-ai', model: '@cf/meta/llama-3.1-8b-instruct' },
        oa: {
          kind: 'openai',
          baseUrl: 'https://api.openai.com/v1',
          model: 'gpt-4o-mini',
          apiKeySecret: 'OPENAI_API_KEY',
        },
      },
      { fetch, secrets: {} },
    );
    expect([thrown(() => set.get('ai')).code, thrown(() => set.get('oa')).code]).toEqual([
      'unsupported',
      'provider_error',
    ]);
    expect(thrown(() => set.get('ai')).message).toMatchInlineSnapshot(
      `"provider "ai" uses Workers AI, but the AI binding is not configured: add [ai] binding = "AI" to wrangler.toml"`,
    );
    expect(thrown(() => set.get('oa')).message).toMatchInlineSnapshot(
      `"provider "oa" names the secret OPENAI_API_KEY, which is not set: wrangler secret put OPENAI_API_KEY"`,
    );
  });

  it('runs Workers AI chat through the same limits; no prompt log-probs', async () => {
    const calls: unknown[] = [];
    let fail = 1;
    const ai = {
      async run(model: string, input: unknown) {
        calls.push({ model, input });
        if (fail-- > 0) throw new Error('3040: Capacity temporarily exceeded');
        return { response: 'Score: 3\nFine.' };
      },
    };
    const set = createProviders(
      { w: { kind: 'workers-ai', model: '@cf/meta/llama-3.1-8b-instruct' } },
      { fetch, secrets: {}, ai, sleep: noSleep },
    );
    const req = { messages: [{ role: 'user' as const, content: 'rate' }], maxTokens: 32, temperature: 0 };
    expect(await set.get('w').chat(req)).toEqual({ text: 'Score: 3\nFine.' });
    expect(await set.get('w').chat(req)).toEqual({ text: 'Score: 3\nFine.' });
    expect(calls).toHaveLength(2); // one failure, one success, then the cache
    expect(calls[1]).toEqual({
      model: '@cf/meta/llama-3.1-8b-instruct',
      input: { messages: req.messages, max_tokens: 32, temperature: 0 },
    });
    expect(set.usage()).toEqual({ requests: 2, cached: 1, failed: 0 });
    const e = (await set
      .get('w')
      .continuationLogprobs('a', 'b')
      .catch((x: unknown) => x)) as WinnowError;
    expect([e.code, e.message]).toEqual([
      'unsupported',
      'provider "w" (workers-ai) cannot return prompt log-probs; use an OpenAI-compatible provider with completions (vLLM) for log-prob scorers',
    ]);
  });
});

describe('schema, cache key, Retry-After', () => {
  it('fills defaults and refuses a key where a secret name belongs', () => {
    const p = ProvidersSchema.parse({
      lm: { kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' },
    });
    expect(p.lm).toEqual({
      kind: 'openai',
      baseUrl: 'http://127.0.0.1:8000/v1',
      model: 'm',
      completions: true,
      concurrency: 4,
      timeoutMs: 60000,
      maxRetries: 4,
      requestBudget: 100000,
    });
    const bad = ProvidersSchema.safeParse({
      lm: { kind: 'openai', baseUrl: 'x', model: 'm', apiKeySecret: 'sk-123' },
    });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['lm.baseUrl', 'lm.apiKeySecret']);
    expect(ProvidersSchema.safeParse({ x: { kind: 'anthropic', model: 'm' } }).success).toBe(false);
  });

  it('keys responses by canonical JSON and evicts the least recently used', async () => {
    expect(responseCacheKey('openai', 'm', '/x', { a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      responseCacheKey('openai', 'm', '/x', { b: [1, { d: 3, c: 2 }], a: 1 }),
    );
    expect(responseCacheKey('openai', 'm', '/x', {})).not.toBe(responseCacheKey('openai', 'm2', '/x', {}));
    expect(responseCacheKey('openai', 'm', '/x', {})).toMatch(/^[0-9a-f]{64}$/);
    const c = new MemoryResponseCache(2);
    await c.put('a', '1');
    await c.put('b', '2');
    await c.get('a');
    await c.put('c', '3');
    expect([await c.get('a'), await c.get('b'), await c.get('c')]).toEqual(['1', null, '3']);
  });

  it('parses Retry-After seconds and dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999', now)).toBe(120_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
