import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WinnowError } from '../../../src/errors.ts';
import { type AiBinding, createProviders } from '../../../src/providers/index.ts';
import { hashString } from '../../../src/score/features/index.ts';

const DIM = 8;
/** The stand-in server's embedding of a text: DIM hashes of it, scaled into [0, 1). */
const vector = (text: string) => Array.from({ length: DIM }, (_, j) => hashString(text, j) / 2 ** 32);

type Fault = { status: number; retryAfter?: string } | { body: unknown };
const seen: { auth?: string; model: string; input: string[] }[] = [];
const faults: Fault[] = [];
let url = '';
let close: () => void;

async function handle(req: IncomingMessage, res: ServerResponse) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
    res.writeHead(404).end();
    return;
  }
  const { model, input } = JSON.parse(raw) as { model: string; input: string[] };
  seen.push({ auth: req.headers.authorization, model, input });
  const fault = faults.shift();
  if (fault && 'status' in fault) {
    res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}).end('slow down');
    return;
  }
  // Entries in reverse, as a server may return them: the client orders them by `index`.
  const data = input.map((t, index) => ({ object: 'embedding', index, embedding: vector(t) })).reverse();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(fault ? fault.body : { object: 'list', model, data }));
}

beforeAll(async () => {
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  close = () => server.close();
});
afterAll(() => close());
beforeEach(() => {
  seen.length = 0;
  faults.length = 0;
});

const delays: number[] = [];
const openai = () =>
  createProviders(
    { e: { kind: 'openai', baseUrl: url, model: 'bge-small', apiKeySecret: 'KEY' } },
    { fetch, secrets: { KEY: 'sk-1' }, sleep: async (ms) => void delays.push(ms) },
  );
const texts = (n: number, tag = '') => Array.from({ length: n }, (_, i) => `text ${i}${tag}`);

async function failure(p: Promise<unknown>): Promise<WinnowError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WinnowError);
  return e as WinnowError;
}

describe('OpenAI-compatible embeddings', () => {
  it('sends a request per 100 texts and returns the vectors in input order', async () => {
    const set = openai();
    const out = await set.get('e').embed(texts(250));
    expect(seen.map((s) => s.input.length).sort()).toEqual([100, 100, 50]);
    expect(seen.every((s) => s.model === 'bge-small' && s.auth === 'Bearer sk-1')).toBe(true);
    expect(out).toHaveLength(250);
    expect(out[0]).toBeInstanceOf(Float32Array);
    expect(out[0]).toEqual(Float32Array.from(vector('text 0')));
    expect(out[249]).toEqual(Float32Array.from(vector('text 249')));
    expect(set.usage()).toEqual({ requests: 3, cached: 0, failed: 0 });
    // The same texts again come from the response cache.
    expect(await set.get('e').embed(texts(250))).toEqual(out);
    expect(set.usage()).toEqual({ requests: 3, cached: 3, failed: 0 });
    expect(await set.get('e').embed([])).toEqual([]);
  });

  it('retries a 429 once (honouring Retry-After), and can name another model', async () => {
    delays.length = 0;
    faults.push({ status: 429, retryAfter: '1' });
    const set = openai();
    const out = await set.get('e').embed(texts(3, 'r'), { model: 'bge-large' });
    expect(out).toEqual(texts(3, 'r').map((t) => Float32Array.from(vector(t))));
    expect(seen.map((s) => s.model)).toEqual(['bge-large', 'bge-large']);
    expect(delays).toEqual([1000]);
    expect(set.usage()).toEqual({ requests: 2, cached: 0, failed: 0 });
  });

  it('rejects a response of the wrong shape, saying what is wrong', async () => {
    const cases: [unknown, string][] = [
      [{ object: 'list' }, 'data: Invalid input: expected array, received undefined'],
      [{ data: [{ index: 0, embedding: [1, 2] }] }, '1 embeddings for 2 inputs'],
      [
        {
          data: [
            { index: 0, embedding: [1] },
            { index: 0, embedding: [2] },
          ],
        },
        'data[].index 0 is out of range or repeated (2 inputs)',
      ],
      [
        {
          data: [
            { index: 0, embedding: [1, 2] },
            { index: 1, embedding: [3] },
          ],
        },
        'embedding 1 has 1 numbers, embedding 0 has 2',
      ],
    ];
    for (const [body, why] of cases) {
      faults.push({ body });
      const e = await failure(openai().get('e').embed(['a', 'b']));
      expect(e.code).toBe('provider_error');
      expect(e.message).toContain(
        `provider "e" (openai, model bge-small) /embeddings returned an unexpected response: ${why}`,
      );
    }
  });
});

describe('Workers AI embeddings', () => {
  function binding(answer?: (text: string[]) => unknown) {
    const calls: { model: string; input: unknown }[] = [];
    const ai: AiBinding = {
      async run(model, input) {
        calls.push({ model, input });
        const { text } = input as { text: string[] };
        return answer ? answer(text) : { shape: [text.length, DIM], data: text.map(vector) };
      },
    };
    const set = createProviders(
      { ai: { kind: 'workers-ai', model: '@cf/baai/bge-small-en-v1.5' } },
      { fetch, secrets: {}, ai, sleep: async () => {} },
    );
    return { calls, provider: set.get('ai'), set };
  }

  it('runs the model on batches of at most 100 texts', async () => {
    const { calls, provider } = binding();
    const out = await provider.embed(texts(250));
    expect(calls.map((c) => [c.model, (c.input as { text: string[] }).text.length])).toEqual([
      ['@cf/baai/bge-small-en-v1.5', 100],
      ['@cf/baai/bge-small-en-v1.5', 100],
      ['@cf/baai/bge-small-en-v1.5', 50],
    ]);
    expect(calls[2].input).toEqual({ text: texts(250).slice(200) });
    expect(out.map((v) => [...v])).toEqual(texts(250).map((t) => [...Float32Array.from(vector(t))]));
  });

  it('rejects data that does not match its shape or its inputs', async () => {
    const bad = [
      [
        (t: string[]) => ({ shape: [t.length, 4], data: t.map(vector) }),
        'shape [2, 4] does not match 2 embeddings of 8 numbers',
      ],
      [(t: string[]) => ({ data: t.slice(1).map(vector) }), '1 embeddings for 2 inputs'],
      [() => ({ response: 'hi' }), 'data: Invalid input: expected array, received undefined'],
    ] as const;
    for (const [answer, why] of bad) {
      const e = await failure(binding(answer).provider.embed(['a', 'b']));
      expect(e.code).toBe('provider_error');
      expect(e.message).toContain(`ai.run returned an unexpected response: ${why}`);
    }
  });
});
