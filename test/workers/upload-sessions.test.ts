import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MiB } from '../../src/limits.ts';
import type { UploadSessions } from '../../workers/upload-sessions.ts';
import { uploadSessions } from '../../workers/upload-sessions.ts';
import { api, json, upload } from './helpers.ts';

const PART = 5 * MiB;

/** `n` bytes of JSONL: lines of seeded random hex (compresses about 2:1, so gzip spans parts too). */
function jsonl(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  let at = 0;
  let i = 0;
  const enc = new TextEncoder();
  while (at < n) {
    let hex = '';
    for (let j = 0; j < 40; j++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      hex += ((x >>> 0) % 65536).toString(16).padStart(4, '0');
    }
    const line = enc.encode(`${JSON.stringify({ instruction: `task ${i++}`, output: hex })}\n`);
    out.set(line.subarray(0, n - at), at);
    at += line.length;
  }
  return out;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

const open = (name: string, body: unknown) =>
  api(`/v1/datasets/${name}/uploads`, { method: 'POST', body: JSON.stringify(body) });
const sendPart = (name: string, id: string, n: number, body: BodyInit) =>
  api(`/v1/datasets/${name}/uploads/${id}/parts/${n}`, { method: 'PUT', body });
const complete = (name: string, id: string) =>
  api(`/v1/datasets/${name}/uploads/${id}/complete`, { method: 'POST' });
const slice = (file: Uint8Array, n: number, partBytes = PART) =>
  file.subarray((n - 1) * partBytes, n * partBytes);

async function stored(key: string): Promise<Uint8Array> {
  const o = await env.DATA_BUCKET.get(key);
  return new Uint8Array(await o!.arrayBuffer());
}

async function listKeys(prefix: string): Promise<string[]> {
  return (await env.DATA_BUCKET.list({ prefix })).objects.map((o) => o.key);
}

/** The session's R2 key and multipart upload id, as its Durable Object keeps them. */
async function r2Upload(name: string, id: string): Promise<{ key: string; upload_id: string }> {
  return runInDurableObject(
    uploadSessions(env, name) as unknown as DurableObjectStub<UploadSessions>,
    (_o, state) =>
      state.storage.sql
        .exec<{ key: string; upload_id: string }>('SELECT key, upload_id FROM sessions WHERE id = ?', id)
        .toArray()[0],
  );
}

describe('upload sessions', () => {
  it('takes parts in any order and in parallel, lists them, and completes into the dataset', async () => {
    const file = jsonl(2 * PART + 12345);
    const res = await open('sess-a', { size: file.length, sha256: await sha256(file), partBytes: PART });
    expect(res.status).toBe(201);
    const s = await json(res);
    expect(s).toMatchObject({ parts: 3, partBytes: PART, state: 'open', missing: [1, 2, 3], resumed: false });
    expect((await sendPart('sess-a', s.id, 3, slice(file, 3))).status).toBe(200);
    const [one, two] = await Promise.all([
      sendPart('sess-a', s.id, 1, slice(file, 1)),
      sendPart('sess-a', s.id, 2, slice(file, 2)),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const listed = await json(await api('/v1/datasets/sess-a/uploads'));
    expect(listed.sessions).toHaveLength(1);
    expect(listed.sessions[0].received.map((p: { part: number }) => p.part)).toEqual([1, 2, 3]);
    expect(listed.sessions[0]).toMatchObject({ missing: [], receivedBytes: file.length });
    const done = await complete('sess-a', s.id);
    expect(done.status).toBe(200);
    const body = await json(done);
    expect(body.session).toMatchObject({ state: 'completed', missing: [] });
    expect(body.dataset).toMatchObject({ name: 'sess-a', bytes: file.length, origin: 'upload' });
    expect(await stored(body.dataset.objects[0].key)).toEqual(file);
    expect((await json(await api('/v1/datasets/sess-a'))).bytes).toBe(file.length);
  });

  it('resumes: the same file (hash and size) finds its open session and the parts it holds', async () => {
    const file = jsonl(2 * PART + 10, 2);
    const hash = await sha256(file);
    const s = await json(await open('sess-resume', { size: file.length, sha256: hash, partBytes: PART }));
    await sendPart('sess-resume', s.id, 2, slice(file, 2));
    const again = await open('sess-resume', { size: file.length, sha256: hash });
    expect(again.status).toBe(200);
    const r = await json(again);
    expect(r).toMatchObject({ id: s.id, resumed: true, partBytes: PART, missing: [1, 3] });
    expect(r.received).toEqual([{ part: 2, bytes: PART, etag: expect.any(String) }]);
    // Another file (another hash) gets a session of its own.
    const other = await open('sess-resume', { size: file.length, sha256: 'f'.repeat(64), partBytes: PART });
    expect(other.status).toBe(201);
    expect((await json(other)).id).not.toBe(s.id);
    const byHash = await json(await api(`/v1/datasets/sess-resume/uploads?sha256=${hash}`));
    expect(byHash.sessions.map((x: { id: string }) => x.id)).toEqual([s.id]);
    // Two clients opening the same new file at once get one session.
    const body = { size: 6 * MiB, sha256: 'e'.repeat(64), partBytes: PART };
    const [a, b] = await Promise.all([open('sess-resume', body), open('sess-resume', body)]);
    expect((await json(a)).id).toBe((await json(b)).id);
  });

  it('refuses wrong part numbers and sizes with the field and why', async () => {
    const file = jsonl(PART + 100, 3);
    const s = await json(await open('sess-err', { size: file.length, partBytes: PART }));
    const zero = await sendPart('sess-err', s.id, 0, 'x');
    expect(zero.status).toBe(400);
    expect((await json(zero)).error.message).toContain('part numbers start at 1');
    const three = await json(await sendPart('sess-err', s.id, 3, 'x'));
    expect(three.error.code).toBe('validation_failed');
    expect(three.error.message).toMatchInlineSnapshot(
      `"part: part 3 is not a part of this session: its 5242980 bytes are parts 1 to 2 of 5242880 bytes (the last 100)"`,
    );
    const short = await json(await sendPart('sess-err', s.id, 1, file.subarray(0, 1000)));
    expect(short.error.message).toMatchInlineSnapshot(
      `"content-length: part 1 is 1000 bytes; every part but the last must be exactly 5242880 bytes (the session's partBytes: R2 wants equal parts)"`,
    );
    const last = await json(await sendPart('sess-err', s.id, 2, file.subarray(0, 50)));
    expect(last.error.message).toContain('part 2 is the last part and must be exactly 100 bytes');
    // A body without a declared length is cut at the part's size: a short one is refused.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(file.slice(0, 60));
        c.close();
      },
    });
    const undeclared = await sendPart('sess-err', s.id, 2, stream);
    expect(undeclared.status).toBe(400);
    expect((await json(undeclared)).error.message).toContain(
      'part 2 must be exactly 100 bytes, and its body ended after 60',
    );
    const early = await json(await complete('sess-err', s.id));
    expect(early.error).toMatchObject({ code: 'conflict', details: { missing: [1, 2] } });
    const badSize = await json(await open('sess-err', { size: 10, partBytes: 1024 }));
    expect(badSize.error.details[0].path).toBe('partBytes');
    const tooBig = await open('sess-err', { size: 1 << 30 });
    expect(tooBig.status).toBe(413);
    expect((await json(tooBig)).error.details).toMatchObject({ limit: 'MAX_UPLOAD_BYTES' });
    expect((await api('/v1/datasets/sess-err/uploads/unosuchsession00')).status).toBe(404);
  });

  it('completes once: a second complete, a late part or an abort of a completed session is a 409', async () => {
    const file = jsonl(1000, 4);
    const s = await json(await open('sess-once', { size: file.length }));
    expect(s.parts).toBe(1);
    await sendPart('sess-once', s.id, 1, file);
    expect((await complete('sess-once', s.id)).status).toBe(200);
    const twice = await complete('sess-once', s.id);
    expect(twice.status).toBe(409);
    expect((await json(twice)).error.message).toContain('is already completed');
    expect((await sendPart('sess-once', s.id, 1, file)).status).toBe(409);
    expect((await api(`/v1/datasets/sess-once/uploads/${s.id}`, { method: 'DELETE' })).status).toBe(409);
  });

  it('aborts leaving nothing behind: no object, no multipart upload, late calls refused', async () => {
    const file = jsonl(2 * PART + 7, 5);
    const s = await json(await open('sess-abort', { size: file.length, partBytes: PART }));
    await sendPart('sess-abort', s.id, 1, slice(file, 1));
    await sendPart('sess-abort', s.id, 2, slice(file, 2));
    const { key, upload_id } = await r2Upload('sess-abort', s.id);
    const aborted = await api(`/v1/datasets/sess-abort/uploads/${s.id}`, { method: 'DELETE' });
    expect(aborted.status).toBe(200);
    expect(await json(aborted)).toMatchObject({ state: 'aborted', received: [], missing: [] });
    expect(await listKeys('datasets/sess-abort/')).toEqual([]);
    await expect(
      env.DATA_BUCKET.resumeMultipartUpload(key, upload_id).uploadPart(3, slice(file, 3)),
    ).rejects.toThrow();
    expect((await sendPart('sess-abort', s.id, 3, slice(file, 3))).status).toBe(409);
    const late = await json(await complete('sess-abort', s.id));
    expect(late.error.message).toContain('was aborted');
    expect((await api('/v1/datasets/sess-abort')).status).toBe(404);
  });

  it('decompresses a gzip file whose stream spans parts into a range-readable object', async () => {
    const plain = jsonl(16 * MiB, 6);
    const file = await gzip(plain);
    expect(file.length).toBeGreaterThan(PART);
    const s = await json(await open('sess-gz', { size: file.length, partBytes: PART }));
    for (let n = s.parts; n >= 1; n--)
      expect((await sendPart('sess-gz', s.id, n, slice(file, n))).status).toBe(200);
    const body = await json(await complete('sess-gz', s.id));
    expect(body.dataset.bytes).toBe(plain.length);
    expect(await stored(body.dataset.objects[0].key)).toEqual(plain);
    // Only the decompressed object and the manifest are left.
    const keys = await listKeys('datasets/sess-gz/');
    expect(keys.sort()).toEqual([body.dataset.objects[0].key, 'datasets/sess-gz/manifest.json'].sort());
    const ranged = await env.DATA_BUCKET.get(body.dataset.objects[0].key, {
      range: { offset: 10 * MiB, length: 64 },
    });
    expect(new Uint8Array(await ranged!.arrayBuffer())).toEqual(plain.subarray(10 * MiB, 10 * MiB + 64));
  });

  it('fails a file that starts like gzip but is not, keeping nothing', async () => {
    const whole = await gzip(jsonl(100_000, 7));
    const file = whole.slice(0, whole.length - 1000);
    const s = await json(await open('sess-badgz', { size: file.length }));
    await sendPart('sess-badgz', s.id, 1, file);
    const res = await complete('sess-badgz', s.id);
    expect(res.status).toBe(422);
    expect((await json(res)).error.message).toContain('starts like gzip but is not valid gzip');
    expect(await listKeys('datasets/sess-badgz/')).toEqual([]);
    expect(await json(await api(`/v1/datasets/sess-badgz/uploads/${s.id}`))).toMatchObject({
      state: 'failed',
    });
  });

  it('appends a part through a session, to an existing dataset only', async () => {
    expect((await upload('sess-part', '{"instruction":"a","output":"b"}\n')).status).toBe(201);
    const file = jsonl(3000, 8);
    const s = await json(await open('sess-part', { size: file.length, part: 'p0002' }));
    await sendPart('sess-part', s.id, 1, file);
    const body = await json(await complete('sess-part', s.id));
    expect(body.dataset.objects.map((o: { part?: string }) => o.part)).toEqual([undefined, 'p0002']);
    const missing = await open('sess-nodataset', { size: 10, part: 'p1' });
    expect(missing.status).toBe(404);
  });
});
