import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { type DatasetInfo, DatasetNameSchema } from '../../schemas/api.ts';
import {
  PartNumberSchema,
  UploadCompletedSchema,
  UploadCreateSchema,
  UploadIdSchema,
  UploadListQuerySchema,
  UploadListSchema,
  UploadPartResultSchema,
  UploadSessionSchema,
} from '../../schemas/upload.ts';
import { isWinnowError, WinnowError } from '../../src/errors.ts';
import { DEFAULT_UPLOAD_PART_BYTES } from '../../src/limits.ts';
import { newVersion, versionKey } from '../../src/pipeline/dataset-objects.ts';
import { checkServerPartBytes, type Problem } from '../../src/upload/index.ts';
import { streamChunks } from '../../src/util/index.ts';
import { keeper } from '../dataset-keeper.ts';
import { type Answer, uploadSessions } from '../upload-sessions.ts';
import { json, jsonRequest, openapi, rawRequest, routes } from './openapi.ts';
import { maxUploadBytes, streamToR2 } from './upload.ts';

/**
 * Chunked, resumable uploads over R2 multipart uploads, under `/v1/datasets/:name/uploads`: open a
 * session for a file (or find the open one for the same file by its SHA-256), send its parts in any
 * order and in parallel, list what arrived, complete or abort (docs/input.md, "Uploading").
 */
export const uploadRoutes = routes();

const params = z.object({ name: DatasetNameSchema });
const session = params.extend({ id: UploadIdSchema });

/** The `UPLOAD_PART_BYTES` var: bytes per part of a session (default 16 MiB). */
export function serverPartBytes(env: { UPLOAD_PART_BYTES?: string }): number {
  try {
    return checkServerPartBytes(env.UPLOAD_PART_BYTES, DEFAULT_UPLOAD_PART_BYTES);
  } catch (e) {
    throw new WinnowError('internal', { detail: (e as Error).message });
  }
}

const refuse = (p: Problem) =>
  new WinnowError(p.code, { path: p.path, detail: p.detail, details: p.details });
function answer<T>(a: Answer<T>): T {
  if ('problem' in a) throw refuse(a.problem);
  return a.ok;
}

const create = createRoute({
  method: 'post',
  path: '/{name}/uploads',
  summary:
    'Open an upload session for a file (its size, SHA-256 and, to append, a part name), or find the open one for the same file',
  request: { params, body: jsonRequest(UploadCreateSchema) },
  responses: {
    200: json(
      'the open session for the same file, with the parts it holds (resumed: true)',
      UploadSessionSchema,
    ),
    201: json('a new session', UploadSessionSchema),
    400: { description: 'bad body (size, sha256, partBytes), every issue listed' },
    404: { description: 'a part for a dataset that does not exist' },
    413: { description: 'size over MAX_UPLOAD_BYTES' },
  },
});

openapi(uploadRoutes, create, async (c) => {
  const { name } = c.req.valid('param');
  const body = c.req.valid('json');
  if (body.part && !(await keeper(c.env, name).refresh(name)))
    throw new WinnowError('not_found', {
      path: 'part',
      detail: `dataset "${name}" does not exist: upload it first, then append parts to it`,
    });
  const opened = answer(
    await uploadSessions(c.env, name).open(name, body, {
      serverPartBytes: serverPartBytes(c.env),
      maxBytes: maxUploadBytes(c.env),
    }),
  );
  return c.json(opened, opened.resumed ? 200 : 201);
});

const list = createRoute({
  method: 'get',
  path: '/{name}/uploads',
  summary: "The dataset's upload sessions, newest first: state, parts received and missing",
  request: { params, query: UploadListQuerySchema },
  responses: { 200: json('sessions', UploadListSchema), 400: { description: 'bad name or query' } },
});

openapi(uploadRoutes, list, async (c) => {
  const { name } = c.req.valid('param');
  const { state, sha256 } = c.req.valid('query');
  const all = await uploadSessions(c.env, name).list(name);
  const sessions = all.filter((s) => (!state || s.state === state) && (!sha256 || s.sha256 === sha256));
  return c.json({ sessions });
});

const describe = createRoute({
  method: 'get',
  path: '/{name}/uploads/{id}',
  summary: 'One upload session: its parts received and missing',
  request: { params: session },
  responses: { 200: json('the session', UploadSessionSchema), 404: { description: 'no such session' } },
});

openapi(uploadRoutes, describe, async (c) => {
  const { name, id } = c.req.valid('param');
  return c.json(answer(await uploadSessions(c.env, name).get(name, id)));
});

const putPart = createRoute({
  method: 'put',
  path: '/{name}/uploads/{id}/parts/{part}',
  summary:
    'Send part n (1-based) of the file: exactly partBytes bytes, the last part what is left; again to replace it',
  request: {
    params: session.extend({ part: PartNumberSchema }),
    body: rawRequest('application/octet-stream'),
  },
  responses: {
    200: json('the part stored', UploadPartResultSchema),
    400: { description: 'a part number outside the session, or a body of the wrong size' },
    404: { description: 'no such session' },
    409: { description: 'the session is completed, aborted, failed or being completed' },
  },
});

openapi(uploadRoutes, putPart, async (c) => {
  const { name, id, part: n } = c.req.valid('param');
  const length = c.req.header('content-length');
  const declared = length === undefined || length === '' ? null : Number(length);
  const desk = uploadSessions(c.env, name);
  const target = answer(await desk.partTarget(name, id, n, declared));
  const body = c.req.raw.body;
  if (!body)
    throw new WinnowError('bad_request', { detail: `part ${n} has no body: send its ${target.bytes} bytes` });
  const upload = c.env.DATA_BUCKET.resumeMultipartUpload(target.key, target.uploadId);
  const etag =
    declared === target.bytes
      ? // A declared length the runtime holds the body to: the body goes to R2 as it is, natively.
        (await upload.uploadPart(n, body)).etag
      : await pumpPart(upload, n, body, target.bytes);
  return c.json(answer(await desk.recordPart(name, id, n, target.bytes, etag)));
});

const complete = createRoute({
  method: 'post',
  path: '/{name}/uploads/{id}/complete',
  summary:
    'Complete the session once every part is stored: the file becomes the dataset (or its part); gzip is decompressed here',
  request: { params: session },
  responses: {
    200: json('the completed session and the dataset', UploadCompletedSchema),
    404: { description: 'no such session, or the dataset of a part was deleted' },
    409: { description: 'parts missing (listed), or the session is completed, aborted or being completed' },
    413: { description: 'a gzip file that decompresses to more than MAX_UPLOAD_BYTES' },
    422: { description: 'a file that starts like gzip but is not valid gzip' },
  },
});

openapi(uploadRoutes, complete, async (c) => {
  const { name, id } = c.req.valid('param');
  const desk = uploadSessions(c.env, name);
  const { session: s, parts } = answer(await desk.beginComplete(name, id));
  const bucket = c.env.DATA_BUCKET;
  let compressed: string | null = null;
  try {
    let object: R2Object;
    try {
      object = await bucket
        .resumeMultipartUpload(s.key, s.uploadId)
        .complete(parts.map((p) => ({ partNumber: p.part, etag: p.etag })));
    } catch (e) {
      // A complete that crashed after R2 completed the upload: the object is there, whole.
      const head = await bucket.head(s.key);
      if (!head || head.size !== s.size) throw e;
      object = head;
    }
    let stored = { key: object.key, size: object.size, etag: object.etag };
    if (await startsWithGzip(bucket, s.key)) {
      // Gzip cannot be read by byte ranges, and its stream spans the parts: it is decompressed now,
      // in one pass, into a new multipart object of equal parts (upload.ts), and the compressed
      // object is deleted.
      compressed = s.key;
      const whole = await bucket.get(s.key);
      const copy = await streamToR2(
        bucket,
        versionKey(name, newVersion(), s.part === null ? 'upload' : `parts/${s.part}`),
        whole!.body,
        // The same words as a PUT's: the file is an upload like any other.
        { maxBytes: maxUploadBytes(c.env) },
      );
      await bucket.delete(s.key);
      compressed = null;
      stored = { key: copy.key, size: copy.size, etag: copy.etag };
    }
    const k = keeper(c.env, name);
    let info: DatasetInfo | null;
    if (s.part === null) {
      info = await k.replace({
        name,
        objects: [stored],
        bytes: stored.size,
        origin: 'upload',
        createdAt: new Date().toISOString(),
      });
    } else {
      info = await k.putPart(name, s.part, stored);
      if (!info)
        throw new WinnowError('not_found', {
          path: 'part',
          detail: `dataset "${name}" was deleted while its part was uploaded: nothing is stored`,
        });
    }
    const done = await desk.finish(name, id, stored);
    return c.json({ session: done, dataset: info });
  } catch (e) {
    // A refusal no retry can fix: the session fails, and nothing of it is kept. Anything else (R2 or
    // a Durable Object unreachable) leaves it completing, and a retry after its lease takes over.
    if (isWinnowError(e) && ['malformed_input', 'payload_too_large', 'not_found'].includes(e.code)) {
      await bucket.delete([s.key, ...(compressed ? [compressed] : [])]);
      await desk.fail(name, id, e.message);
    }
    throw e;
  }
});

const abort = createRoute({
  method: 'delete',
  path: '/{name}/uploads/{id}',
  summary: 'Abort the session: R2 drops its parts, nothing is stored',
  request: { params: session },
  responses: {
    200: json('the aborted session', UploadSessionSchema),
    404: { description: 'no such session' },
    409: { description: 'the session is completed or being completed' },
  },
});

openapi(uploadRoutes, abort, async (c) => {
  const { name, id } = c.req.valid('param');
  return c.json(answer(await uploadSessions(c.env, name).abort(name, id)));
});

/**
 * A body of no declared length into part `n`: R2 needs the part's length up front, so the body is
 * passed through a FixedLengthStream of the part's size, chunk by chunk, never held whole. One that
 * runs past the size or ends short of it is refused, and R2 keeps nothing of it.
 */
async function pumpPart(
  upload: R2MultipartUpload,
  n: number,
  body: ReadableStream<Uint8Array>,
  bytes: number,
): Promise<string> {
  const seen = { bytes: 0 };
  const fixed = new FixedLengthStream(bytes);
  const pump = (async () => {
    const w = fixed.writable.getWriter();
    try {
      for await (const chunk of streamChunks(body)) {
        seen.bytes += chunk.byteLength;
        if (seen.bytes > bytes) throw new Error('the body is longer than the part');
        await w.write(chunk);
      }
      if (seen.bytes < bytes) throw new Error('the body is shorter than the part');
      await w.close();
    } catch (e) {
      await w.abort(e).catch(() => {});
      throw e;
    }
  })();
  const [sent, read] = await Promise.allSettled([upload.uploadPart(n, fixed.readable), pump]);
  if (seen.bytes !== bytes)
    throw new WinnowError('validation_failed', {
      path: 'body',
      detail: `part ${n} must be exactly ${bytes} bytes, and its body ${seen.bytes > bytes ? 'ran past that' : `ended after ${seen.bytes}`}: nothing of it is stored`,
      details: [{ code: 'part_size', path: 'body', message: `expected ${bytes} bytes` }],
    });
  if (read.status === 'rejected') throw read.reason;
  if (sent.status === 'rejected') throw sent.reason;
  return sent.value.etag;
}

async function startsWithGzip(bucket: R2Bucket, key: string): Promise<boolean> {
  const head = await bucket.get(key, { range: { offset: 0, length: 2 } });
  if (!head) return false;
  const b = new Uint8Array(await head.arrayBuffer());
  return b[0] === 0x1f && b[1] === 0x8b;
}
