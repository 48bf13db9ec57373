import { DurableObject } from 'cloudflare:workers';
import type { UploadCreate, UploadedPart, UploadPartResult, UploadSession } from '../schemas/upload.ts';
import { newVersion, versionKey } from '../src/pipeline/dataset-objects.ts';
import {
  COMPLETE_LEASE_MS,
  checkAbort,
  checkComplete,
  checkPart,
  choosePartBytes,
  isExpired,
  type Problem,
  partCount,
  partSize,
  type SessionRecord,
  sessionView,
} from '../src/upload/index.ts';
import { UploadDb } from './upload-db.ts';

export function uploadSessions(env: Env, dataset: string) {
  return env.UPLOAD_SESSIONS.get(env.UPLOAD_SESSIONS.idFromName(dataset));
}

export type Answer<T> = { ok: T } | { problem: Problem };

const noSession = (name: string, id: string): { problem: Problem } => ({
  problem: {
    code: 'not_found',
    path: 'id',
    detail: `dataset "${name}" has no upload session ${id}`,
  },
});

/**
 * One per dataset: its upload sessions over R2 multipart uploads (schemas/upload.ts), each with the R2
 * upload id and the parts stored so far. The bodies never pass through here: a part's request streams
 * into R2 from the Worker, which reports the part's etag; the rules are src/upload/session.ts's.
 */
export class UploadSessions extends DurableObject<Env> {
  private name = '';
  private readonly db: UploadDb;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new UploadDb(ctx.storage.sql, () => this.name);
  }

  /** The open session for the same file when `sha256` is given and one exists; otherwise a new one. */
  async open(
    name: string,
    body: UploadCreate,
    { serverPartBytes, maxBytes }: { serverPartBytes: number; maxBytes: number },
  ): Promise<Answer<UploadSession>> {
    // One open at a time: two requests for the same file must not both miss and make two sessions
    // (the R2 call below lets other requests in).
    const next = this.lock.then(() => this.openNow(name, body, { serverPartBytes, maxBytes }));
    this.lock = next.catch(() => {});
    return next;
  }

  private async openNow(
    name: string,
    body: UploadCreate,
    { serverPartBytes, maxBytes }: { serverPartBytes: number; maxBytes: number },
  ): Promise<Answer<UploadSession>> {
    this.name = name;
    const now = Date.now();
    const part = body.part ?? null;
    if (body.sha256) {
      const found = this.db.openFor(part, body.sha256, body.size);
      if (found && !(await this.expire(found, now)))
        return { ok: sessionView(found, this.db.parts(found.id), { resumed: true }) };
    }
    if (body.size > maxBytes)
      return {
        problem: {
          code: 'payload_too_large',
          path: 'size',
          detail: `the file is ${body.size} bytes, over the ${maxBytes} bytes one upload may store (MAX_UPLOAD_BYTES): append it as several parts (part), or raise MAX_UPLOAD_BYTES in [vars]`,
          details: { limit: 'MAX_UPLOAD_BYTES', maxBytes },
        },
      };
    const chosen = choosePartBytes(body.size, body.partBytes, serverPartBytes);
    if ('code' in chosen) return { problem: chosen };
    const key = versionKey(name, newVersion(), part === null ? 'upload' : `parts/${part}`);
    const upload = await this.env.DATA_BUCKET.createMultipartUpload(key);
    const s: SessionRecord = {
      id: newSessionId(),
      dataset: name,
      part,
      size: body.size,
      sha256: body.sha256 ?? null,
      partBytes: chosen.partBytes,
      key,
      uploadId: upload.uploadId,
      state: 'open',
      error: null,
      object: null,
      createdAt: now,
      updatedAt: now,
      leaseUntil: null,
    };
    this.db.insert(s);
    return { ok: sessionView(s, [], { resumed: false }) };
  }

  async get(name: string, id: string): Promise<Answer<UploadSession>> {
    this.name = name;
    const s = this.db.get(id);
    if (!s) return noSession(name, id);
    await this.expire(s, Date.now());
    const now = this.db.get(id)!;
    return { ok: sessionView(now, this.db.parts(id)) };
  }

  async list(name: string): Promise<UploadSession[]> {
    this.name = name;
    const now = Date.now();
    for (const s of this.db.all()) await this.expire(s, now);
    return this.db.all().map((s) => sessionView(s, this.db.parts(s.id)));
  }

  /** Where part `n` of `bytes` bytes (null: not declared) goes, or why it may not be sent. */
  async partTarget(
    name: string,
    id: string,
    n: number,
    bytes: number | null,
  ): Promise<Answer<{ key: string; uploadId: string; bytes: number }>> {
    this.name = name;
    const s = this.db.get(id);
    if (!s) return noSession(name, id);
    const now = Date.now();
    if (await this.expire(s, now)) return { problem: checkPart(this.db.get(id)!, n, bytes, now)! };
    const problem = checkPart(s, n, bytes, now);
    if (problem) return { problem };
    return { ok: { key: s.key, uploadId: s.uploadId, bytes: partSize(s.size, s.partBytes, n) } };
  }

  /** Part `n` is stored in R2 with this etag. */
  async recordPart(
    name: string,
    id: string,
    n: number,
    bytes: number,
    etag: string,
  ): Promise<Answer<UploadPartResult>> {
    this.name = name;
    const s = this.db.get(id);
    if (!s) return noSession(name, id);
    const problem = checkPart(s, n, bytes, Date.now());
    if (problem) return { problem };
    this.db.putPart(id, n, bytes, etag, Date.now());
    return {
      ok: { part: n, bytes, etag, received: this.db.parts(id).length, parts: partCount(s.size, s.partBytes) },
    };
  }

  /**
   * Take the session to complete it: it is `completing` (no more parts, no second complete) until
   * `finish` or `fail`, or until the lease runs out (a crashed complete lets another take over).
   */
  async beginComplete(
    name: string,
    id: string,
  ): Promise<Answer<{ session: SessionRecord; parts: UploadedPart[] }>> {
    this.name = name;
    const s = this.db.get(id);
    if (!s) return noSession(name, id);
    const now = Date.now();
    await this.expire(s, now);
    const parts = this.db.parts(id);
    const problem = checkComplete(this.db.get(id)!, parts, now);
    if (problem) return { problem };
    this.db.setState(id, 'completing', now, { leaseUntil: now + COMPLETE_LEASE_MS });
    return { ok: { session: this.db.get(id)!, parts } };
  }

  async finish(name: string, id: string, object: { key: string; size: number; etag: string }) {
    this.name = name;
    this.db.setState(id, 'completed', Date.now(), { object });
    return sessionView(this.db.get(id)!, this.db.parts(id));
  }

  /** The complete failed for good (bad gzip, over the limit, the dataset gone): nothing is kept. */
  async fail(name: string, id: string, error: string): Promise<void> {
    this.name = name;
    this.db.setState(id, 'failed', Date.now(), { error });
    this.db.dropParts(id);
  }

  /** Abort: R2 drops the stored parts; the session stays, `aborted`, so late parts get a clear 409. */
  async abort(name: string, id: string): Promise<Answer<UploadSession>> {
    this.name = name;
    const s = this.db.get(id);
    if (!s) return noSession(name, id);
    if (s.state === 'aborted' || s.state === 'failed') return { ok: sessionView(s, this.db.parts(id)) };
    const problem = checkAbort(s);
    if (problem) return { problem };
    await this.dropUpload(s);
    this.db.setState(id, 'aborted', Date.now(), { error: 'aborted by request' });
    this.db.dropParts(id);
    return { ok: sessionView(this.db.get(id)!, []) };
  }

  /** An open session past R2's 7 days is aborted (R2 has dropped its parts). True when it was. */
  private async expire(s: SessionRecord, now: number): Promise<boolean> {
    if (!isExpired(s, now)) return false;
    await this.dropUpload(s);
    this.db.setState(s.id, 'aborted', now, {
      error: 'expired: R2 discards an unfinished multipart upload 7 days after it started',
    });
    this.db.dropParts(s.id);
    return true;
  }

  private async dropUpload(s: SessionRecord): Promise<void> {
    try {
      await this.env.DATA_BUCKET.resumeMultipartUpload(s.key, s.uploadId).abort();
    } catch {
      // Already gone (expired, or aborted by an earlier attempt): nothing is left to drop.
    }
  }
}

function newSessionId(): string {
  const rand = crypto.getRandomValues(new Uint8Array(5));
  return `u${Date.now().toString(36)}${[...rand].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
