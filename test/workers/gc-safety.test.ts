/**
 * A safety job's own input (its drafts, its held-out attack set) lives under safety/, beside the
 * identity's ledger: it goes with the job, and gc sweeps one whose job is gone; the ledger stays.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { GcResult } from '../../schemas/storage.ts';
import { jobSpecKey } from '../../src/pipeline/keys.ts';
import type { JobSpec } from '../../src/pipeline/types.ts';
import { identitySlug } from '../../src/safety/identity.ts';
import { inputKey, ledgerKey } from '../../src/safety/keys.ts';
import { api, json, post, waitForJob } from './helpers.ts';

const identity = { name: 'Gc Aria', developer: 'Acme' };
const slug = identitySlug(identity);

async function generated(seed: number): Promise<{ id: string; input: string }> {
  const { id } = await json(await post('/v1/safety/generate', { identity, count: 12, seed }));
  expect((await waitForJob(id)).state).toBe('done');
  const spec = (await (await env.DATA_BUCKET.get(jobSpecKey(id)))!.json()) as JobSpec;
  expect(spec.objects.map((o) => o.key)).toEqual([inputKey(slug, 'drafts', id)]);
  return { id, input: spec.objects[0].key };
}

/**
 * gc's own function, so that the test chooses the time. Imported once the Worker has served a
 * request: imported first, the schemas it pulls in are built before @hono/zod-openapi extends zod.
 */
const collectGarbage: typeof import('../../workers/gc.ts').collectGarbage = async (...args) =>
  (await import('../../workers/gc.ts')).collectGarbage(...args);

/** Every page of gc at `now`. */
async function gcAll(
  now: number,
  body: { jobsOlderThan?: string; dryRun?: boolean } = {},
): Promise<GcResult[]> {
  const pages: GcResult[] = [];
  let cursor: string | undefined;
  do {
    const page = await collectGarbage(env, { dryRun: false, ...body, ...(cursor ? { cursor } : {}) }, now);
    pages.push(page);
    cursor = page.cursor;
  } while (cursor);
  return pages;
}

describe('gc and delete of safety jobs', () => {
  it('DELETE of a generation job deletes its drafts under safety/, and keeps the ledger', async () => {
    const { id, input } = await generated(31);
    expect(await env.DATA_BUCKET.head(input)).not.toBeNull();
    const res = await api(`/v1/jobs/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(await env.DATA_BUCKET.head(input)).toBeNull();
    expect(body.freed.objects).toBeGreaterThan(1);
    expect(await env.DATA_BUCKET.head(ledgerKey(slug, id))).not.toBeNull();
  });

  it('gc deletes an old safety job with its input, and sweeps inputs whose job is gone', async () => {
    const { id, input } = await generated(32);
    // Inputs without a job: one old enough to sweep, one too young to tell from a job being started.
    const orphan = inputKey(slug, 'attacks', 'jsafetyorphan01');
    await env.DATA_BUCKET.put(orphan, 'x'.repeat(120));
    const ledger = ledgerKey(slug, 'jsafetyorphan01');
    await env.DATA_BUCKET.put(ledger, '{"hashes":[]}');

    // Now: the orphan is too young; the job, its input and the ledger stay.
    const now = await gcAll(Date.now());
    expect(now.reduce((a, p) => a + p.freed.orphans.objects, 0)).toBe(0);
    expect(await env.DATA_BUCKET.head(orphan)).not.toBeNull();

    // An hour later: the orphaned input goes (a dry run first counts it and deletes nothing).
    const later = Date.now() + 3_600_000;
    const dry = await gcAll(later, { dryRun: true });
    expect(dry.at(-1)!.freed.orphans).toMatchObject({ objects: 1, bytes: 120 });
    expect(await env.DATA_BUCKET.head(orphan)).not.toBeNull();
    const pages = await gcAll(later);
    // The last page is the safety phase: its cursor ran out.
    expect(pages.at(-1)!.freed.orphans).toMatchObject({ count: 1, objects: 1, bytes: 120 });
    expect(await env.DATA_BUCKET.head(orphan)).toBeNull();
    expect(await env.DATA_BUCKET.head(input)).not.toBeNull();
    expect(await env.DATA_BUCKET.head(ledger)).not.toBeNull();

    // Two days later, with jobs older than a day: the job goes, and its input with it.
    await gcAll(Date.now() + 2 * 86_400_000, { jobsOlderThan: '1d' });
    expect((await api(`/v1/jobs/${id}`)).status).toBe(404);
    expect(await env.DATA_BUCKET.head(input)).toBeNull();
    expect(await env.DATA_BUCKET.head(ledgerKey(slug, id))).not.toBeNull();
  });

  it('refuses a cursor of no phase it knows', async () => {
    const res = await api('/v1/gc', { method: 'POST', body: '{"cursor":"q:abc"}' });
    expect(res.status).toBe(400);
  });
});
