import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderConfigInput } from '../../../schemas/provider.ts';
import { WinnowError } from '../../../src/errors.ts';
import { createProviders, MemoryResponseCache, type ProviderDeps } from '../../../src/providers/index.ts';
import { type Standin, startStandin } from '../../support/standin-lm/index.ts';

let lm: Standin;
beforeAll(async () => {
  lm = await startStandin();
});
afterAll(() => lm.close());
beforeEach(() => {
  lm.resetStats();
  lm.setDelay(0);
  lm.holdUntilInFlight(null);
});

const delays: number[] = [];
function set(over: Partial<ProviderConfigInput> = {}, deps: Partial<ProviderDeps> = {}) {
  delays.length = 0;
  const config = { kind: 'openai', baseUrl: lm.url, model: lm.modelName, ...over } as ProviderConfigInput;
  return createProviders(
    { lm: config },
    {
      fetch,
      secrets: {},
      random: () => 0.5,
      sleep: async (ms) => void delays.push(ms),
      ...deps,
    },
  );
}
const ask = (n: number) => ({ messages: [{ role: 'user' as const, content: `Say hello #${n}` }] });

async function failure(p: Promise<unknown>): Promise<WinnowError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WinnowError);
  return e as WinnowError;
}

describe('retries', () => {
  it('retries 429 (honouring Retry-After) and 500, then succeeds', async () => {
    lm.inject({ status: 429, retryAfter: '2' }, { status: 500 });
    const providers = set();
    const res = await providers.get('lm').chat(ask(1));
    expect(res.text).toMatch(/stand-in/);
    expect(lm.stats().requests).toBe(3);
    // Retry-After: 2 → 2000 ms; then full jitter for retry #2: 0.5 · min(30 s, 500 ms · 2¹) = 500 ms.
    expect(delays).toEqual([2000, 500]);
    expect(providers.usage()).toEqual({ requests: 3, cached: 0, failed: 0 });
  });

  it('does not retry a 400 and says what the server said', async () => {
    lm.inject({
      status: 400,
      body: '{"error":{"message":"This model\'s maximum context length is 4096 tokens"}}',
    });
    const providers = set();
    const e = await failure(providers.get('lm').chat(ask(2)));
    expect(e.code).toBe('provider_error');
    expect(e.message).toMatchInlineSnapshot(
      `"provider "lm" (openai, model standin-ngram) /chat/completions failed: HTTP 400: {"error":{"message":"This model's maximum context length is 4096 tokens"}}"`,
    );
    expect(e.details).toMatchObject({ status: 400, attempts: 1 });
    expect(lm.stats().requests).toBe(1);
    expect(delays).toEqual([]);
    expect(providers.usage()).toEqual({ requests: 1, cached: 0, failed: 1 });
  });

  it('does not retry a 404 for an unknown model', async () => {
    const e = await failure(set({ model: 'gpt-5' }).get('lm').chat(ask(3)));
    expect(e.message).toContain('HTTP 404: {"error":{"message":"The model `gpt-5` does not exist."');
    expect(lm.stats().requests).toBe(1);
  });

  it('gives up after maxRetries, naming the attempts', async () => {
    lm.inject({ status: 503 }, { status: 503 }, { status: 503 });
    const e = await failure(set({ maxRetries: 2 }).get('lm').chat(ask(4)));
    expect(e.message).toContain('failed after 3 attempts: HTTP 503');
    expect(delays).toEqual([250, 500]); // 0.5 · 500·2⁰, 0.5 · 500·2¹
  });

  it('retries network errors', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const providers = set({ baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 1 });
    const e = await failure(providers.get('lm').chat(ask(5)));
    expect(e.message).toMatch(/failed after 2 attempts: fetch failed/);
    expect(providers.usage()).toEqual({ requests: 2, cached: 0, failed: 1 });
  });
});

describe('timeout', () => {
  // No clock is read: the client's timer is armed before the request is sent, so it always expires
  // before the stand-in's 5 s delay (Node runs timers in deadline order), whatever the machine's load.
  it('aborts a slow request', async () => {
    lm.inject({ delayMs: 5000 });
    const signals: AbortSignal[] = [];
    const spy: typeof fetch = (input, init) => {
      if (init?.signal) signals.push(init.signal);
      return fetch(input, init);
    };
    const e = await failure(set({ timeoutMs: 50, maxRetries: 0 }, { fetch: spy }).get('lm').chat(ask(6)));
    expect(e.message).toMatch(/\/chat\/completions failed: timed out after 50 ms$/);
    // It failed without waiting for the answer: the stand-in had not got past its delay, and the
    // request was aborted (not left to run on).
    expect(lm.stats()).toMatchObject({ requests: 1, bodies: [] });
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(true);
    expect(String(signals[0].reason)).toContain('timed out after 50 ms');
  });

  it('retries after a timeout', async () => {
    lm.inject({ delayMs: 5000 });
    const res = await set({ timeoutMs: 1000, maxRetries: 1 }).get('lm').chat(ask(7));
    expect(res.text).toMatch(/stand-in/);
    expect(lm.stats().requests).toBe(2);
  });
});

describe('concurrency, budget, cache', () => {
  it('never has more than `concurrency` requests in flight', async () => {
    // Each answer waits 30 ms (time for extra requests to show up if the cap leaked), and then until 3
    // requests are in flight (a barrier): the cap is reached whatever the machine's load.
    lm.setDelay(30);
    lm.holdUntilInFlight(3);
    const p = set({ concurrency: 3 }).get('lm');
    await Promise.all(Array.from({ length: 12 }, (_, i) => p.chat(ask(100 + i))));
    expect(lm.stats()).toMatchObject({ requests: 12, maxInFlight: 3 });
    const stats = await (await fetch(lm.url.replace(/\/v1$/, '/stats'))).json();
    expect(stats).toMatchObject({ requests: 12, chat: 12, maxInFlight: 3, inFlight: 0 });
  });

  it('stops at the request budget; cache hits do not count', async () => {
    const providers = set({ requestBudget: 3 });
    const p = providers.get('lm');
    for (let i = 0; i < 3; i++) await p.chat(ask(200 + i));
    await p.chat(ask(200)); // cached
    const e = await failure(p.chat(ask(203)));
    expect(e.code).toBe('request_budget_exhausted');
    expect(e.message).toMatchInlineSnapshot(
      `"provider "lm" has used its budget of 3 requests for this job; raise providers.lm.requestBudget in the recipe"`,
    );
    expect(lm.stats().requests).toBe(3);
    expect(providers.usage()).toEqual({ requests: 3, cached: 1, failed: 1 });
  });

  it("splits the job's budget over its tasks, and says so when a task's share runs out", async () => {
    const share = set({ requestBudget: 10 }, { budgetParts: 4 }).get('lm');
    await share.chat(ask(250));
    await share.chat(ask(251));
    const e = await failure(share.chat(ask(252)));
    expect(e.code).toBe('request_budget_exhausted');
    expect(e.message).toMatchInlineSnapshot(
      `"provider "lm" has used this task's 2 requests: the job's budget of 10 requests is shared by its 4 tasks, 2 each; raise providers.lm.requestBudget in the recipe"`,
    );
    expect(e.details).toMatchObject({ provider: 'lm', requestBudget: 10, parts: 4 });
    const none = await failure(set({ requestBudget: 3 }, { budgetParts: 4 }).get('lm').chat(ask(253)));
    expect(none.message).toMatchInlineSnapshot(
      `"provider "lm" has no request left for this task: the job's budget of 3 requests is shared by its 4 tasks, less than one each; raise providers.lm.requestBudget in the recipe to at least 4"`,
    );
  });

  it('counts retries against the budget', async () => {
    lm.inject({ status: 500 }, { status: 500 });
    const e = await failure(set({ requestBudget: 2 }).get('lm').chat(ask(300)));
    expect(e.code).toBe('request_budget_exhausted');
    expect(lm.stats().requests).toBe(2);
  });

  it('answers a repeated call from the cache, and shares identical calls in flight', async () => {
    const providers = set();
    const p = providers.get('lm');
    const a = await p.chat(ask(400));
    expect(await p.chat(ask(400))).toEqual(a);
    expect(lm.stats().requests).toBe(1);
    lm.setDelay(20);
    await Promise.all([p.chat(ask(401)), p.chat(ask(401)), p.chat(ask(401))]);
    expect(lm.stats().requests).toBe(2);
    expect(providers.usage()).toEqual({ requests: 2, cached: 3, failed: 0 });
  });

  it('shares a ResponseCache across provider sets', async () => {
    const cache = new MemoryResponseCache(10);
    await set({}, { cache }).get('lm').continuationLogprobs('The sky', ' is blue.');
    const again = set({}, { cache });
    await again.get('lm').continuationLogprobs('The sky', ' is blue.');
    expect(lm.stats().completions).toBe(1);
    expect(again.usage()).toEqual({ requests: 0, cached: 1, failed: 0 });
    expect(cache.size).toBe(1);
  });

  it('rejects an unexpected response shape without retrying', async () => {
    lm.inject({ status: 200, body: '{"choices":[]}' });
    const e = await failure(set().get('lm').chat(ask(500)));
    expect(e.message).toMatchInlineSnapshot(
      `"provider "lm" (openai, model standin-ngram) /chat/completions returned an unexpected response: choices: no choices; body: {"choices":[]}"`,
    );
    lm.inject({ status: 200, body: 'not json' });
    expect((await failure(set().get('lm').chat(ask(501)))).message).toContain('body is not JSON');
  });
});
