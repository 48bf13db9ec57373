import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../../src/demo/index.ts';
import { sharedClient, sharedStack, unique } from '../stack.ts';

/** A real listener standing in for a model endpoint: it records every request's headers and refuses it. */
let listener: Server;
let base = '';
const seen: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  listener = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no such model"}}');
  });
  await new Promise<void>((ok) => listener.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((ok) => listener.close(() => ok())));

const judge = (provider: Record<string, unknown>) => ({
  scorers: [{ id: 'length' }, { id: 'judge', config: { provider: 'spy' } }],
  providers: { spy: { kind: 'openai' as const, model: 'm', maxRetries: 0, ...provider } },
  select: { budget: 5 },
});

async function refused(dataset: string, recipe: unknown) {
  const res = await fetch(`${sharedStack().url}/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sharedStack().token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ dataset, recipe }),
  });
  return { status: res.status, body: (await res.json()) as { error: { code: string; details: unknown[] } } };
}

describe("model endpoints are the operator's to allow (the PROVIDERS var)", () => {
  it('never sends the API token, nor calls a host the operator did not allow', async () => {
    const client = sharedClient();
    const dataset = unique('policy');
    await client.uploadDataset(dataset, new Blob([generateDemo({ records: 20, seed: 1 })]).stream());
    // The attack the issue found: a recipe asks for the stack's own token as the provider's key.
    const token = await refused(dataset, judge({ baseUrl: base, apiKeySecret: 'API_TOKEN' }));
    expect(token.status).toBe(400);
    expect(token.body.error.code).toBe('validation_failed');
    expect(token.body.error.details).toEqual([
      expect.objectContaining({ code: 'provider_not_allowed', path: 'recipe.providers.spy.apiKeySecret' }),
    ]);
    // A host the operator did not allow: refused, whatever the key.
    const far = await refused(dataset, judge({ baseUrl: 'http://10.255.255.1:9/v1' }));
    expect(far.status).toBe(400);
    expect(far.body.error.details).toEqual([
      expect.objectContaining({ code: 'provider_not_allowed', path: 'recipe.providers.spy.baseUrl' }),
    ]);
    // An endpoint the operator never declared, by name.
    const named = await refused(dataset, judge({ endpoint: 'paid' }));
    expect(named.body.error.details).toEqual([
      expect.objectContaining({ code: 'provider_not_allowed', path: 'recipe.providers.spy.endpoint' }),
    ]);
    expect(seen).toHaveLength(0);
    // An allowed host with no secret runs; what reaches the listener carries no key at all.
    const { id } = await client.createJob(dataset, judge({ baseUrl: base }));
    let status = await client.job(id);
    for (const until = Date.now() + 90_000; status.state === 'running' && Date.now() < until; )
      status = await new Promise((ok) => setTimeout(() => ok(client.job(id)), 300));
    expect(status.state).toBe('failed'); // the listener refuses every request
    expect(seen.length).toBeGreaterThan(0);
    for (const h of seen) {
      expect(h.authorization).toBeUndefined();
      expect(JSON.stringify(h)).not.toContain(sharedStack().token);
    }
  }, 120_000);
});
