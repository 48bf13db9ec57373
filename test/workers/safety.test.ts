import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { identitySlug } from '../../src/safety/identity.ts';
import { ledgerKey } from '../../src/safety/keys.ts';
import { api, json, lines, output, post, waitForJob } from './helpers.ts';

const identity = { name: 'Aria', developer: 'Acme', aliases: ['艾莉亚'] };

describe('identity-attack safety jobs through the queues and the coordinator', () => {
  it('POST /v1/safety/generate runs plan, ingest and safety-generate, and serves the data and the rejections', async () => {
    const res = await post('/v1/safety/generate', { identity, count: 60, seed: 2 });
    expect(res.status).toBe(201);
    const { id, dataset } = await json(res);
    expect(dataset).toBe(`safety.${identitySlug({ name: 'Aria', developer: 'Acme' })}`);
    const s = await waitForJob(id);
    expect(s.state).toBe('done');
    // A selection's stages are not part of it; fit and score are listed, skipped.
    const stages = Object.fromEntries(s.stages.map((x) => [x.name, x.state]));
    expect(Object.keys(stages)).toEqual(['plan', 'ingest', 'fit', 'score', 'safety-generate', 'card']);
    expect(stages['safety-generate']).toBe('done');
    const kept = lines(await output(id, 'safety.jsonl'));
    expect(kept).toHaveLength(60);
    expect(new Set(kept.map((r) => `${r.safety.category}/${r.safety.lang}`)).size).toBe(10);
    for (const r of kept) expect(r.messages.at(-1).content).toMatch(/Aria|艾莉亚/);
    const rejected = lines(await output(id, 'safety-rejected.jsonl'));
    for (const r of rejected) expect(r.reason).toMatch(/^[a-z_]+$/);
    const report = JSON.parse(await output(id, 'report.json'));
    expect(report.safety).toMatchObject({ task: 'generate', requested: 60, accepted: 60 });
    expect(report.safety.drafted).toBe(kept.length + rejected.length);
    // The identity's ledger holds the kept prompts' hashes, for held-out benchmark sets.
    const ledger = await (await env.DATA_BUCKET.get(ledgerKey(identitySlug(identity), id)))!.json<{
      hashes: string[];
    }>();
    expect(ledger.hashes).toEqual(kept.map((r) => r.safety.hash));
    // An ended safety job is deleted like any other; the identity's ledger stays.
    expect((await api(`/v1/jobs/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await env.DATA_BUCKET.head(ledgerKey(identitySlug(identity), id))).not.toBeNull();
  });

  it('refuses bad requests before anything starts, naming the field', async () => {
    const bad = await post('/v1/safety/generate', { identity: { name: '', developer: 'Acme' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await json(bad))).toContain('identity.name');
    const noProvider = await post('/v1/safety/generate', { identity, provider: 'writer' });
    expect(noProvider.status).toBe(400);
    expect((await json(noProvider)).error.message).toContain('provider: no provider "writer" in providers');
    const target = { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' };
    const unknown = await post('/v1/safety/bench', { identity, providers: { target }, target: 'model' });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).error.message).toContain(
      'target: no provider "model" in providers (known: target)',
    );
    // The operator allows no endpoint here (PROVIDERS is empty): the bench is refused, nothing is sent.
    const denied = await post('/v1/safety/bench', { identity, providers: { target }, target: 'target' });
    expect(denied.status).toBe(400);
    expect((await json(denied)).error.message).toContain('providers.target');
    // Checked before the dataset is looked up (or pinned).
    const missing = await post('/v1/safety/bench', {
      identity,
      providers: { target },
      target: 'target',
      dataset: 'no-such-set',
    });
    expect(missing.status).toBe(400);
  });
});
