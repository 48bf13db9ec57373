import type { UploadedPart, UploadSession, UploadState } from '../../schemas/upload.ts';
import type { ErrorCode } from '../errors.ts';
import {
  formatBytes,
  MAX_UPLOAD_PART_BYTES,
  MAX_UPLOAD_PARTS,
  MIN_UPLOAD_PART_BYTES,
  UPLOAD_SESSION_TTL_MS,
} from '../limits.ts';

/**
 * An upload session's rules, platform-free: how a file is cut into parts, which part may be sent with
 * how many bytes, and when a session may be completed or aborted. The Durable Object that keeps
 * sessions (workers/upload-sessions.ts) and the routes apply them; every refusal is a `Problem`, which
 * the HTTP edge turns into a 4xx naming the field and why.
 */

/** What a session stores (one row of the UploadSessions object). */
export interface SessionRecord {
  id: string;
  dataset: string;
  part: string | null;
  size: number;
  sha256: string | null;
  partBytes: number;
  key: string;
  uploadId: string;
  state: UploadState;
  error: string | null;
  object: { key: string; size: number; etag: string } | null;
  createdAt: number;
  updatedAt: number;
  /** While `completing`: until when the completing request holds it (a crashed one lets go). */
  leaseUntil: number | null;
}

/** A refusal: the error's code, the field it is about, and why. */
export interface Problem {
  code: ErrorCode;
  path?: string;
  detail: string;
  details?: unknown;
}

/** How long a complete may take before another may take over (a crashed complete lets go). */
export const COMPLETE_LEASE_MS = 10 * 60 * 1000;

/** Parts a file of `size` bytes is cut into, `partBytes` each but the last. */
export const partCount = (size: number, partBytes: number) => Math.max(1, Math.ceil(size / partBytes));

/** The bytes part `n` (1-based) must hold: `partBytes`, or what is left for the last. */
export function partSize(size: number, partBytes: number, n: number): number {
  const count = partCount(size, partBytes);
  return n < count ? partBytes : size - (count - 1) * partBytes;
}

/**
 * The part size of a new session: the one asked for, or the server's (`UPLOAD_PART_BYTES`). R2 wants
 * every part but the last of one size, at least 5 MiB; one part is one request, so at most the
 * server's. A file too large for 10,000 parts of that size is refused.
 */
export function choosePartBytes(
  size: number,
  asked: number | undefined,
  serverPartBytes: number,
): { partBytes: number } | Problem {
  const partBytes = asked ?? serverPartBytes;
  if (asked !== undefined && (asked < MIN_UPLOAD_PART_BYTES || asked > serverPartBytes))
    return {
      code: 'validation_failed',
      path: 'partBytes',
      detail: `partBytes must be from ${MIN_UPLOAD_PART_BYTES} (5 MiB, R2's least part) to ${serverPartBytes} (${formatBytes(serverPartBytes)}, this server's UPLOAD_PART_BYTES), got ${asked}`,
      details: [
        {
          code: 'part_bytes',
          path: 'partBytes',
          message: `from ${MIN_UPLOAD_PART_BYTES} to ${serverPartBytes}`,
        },
      ],
    };
  if (partCount(size, partBytes) > MAX_UPLOAD_PARTS)
    return {
      code: 'validation_failed',
      path: 'size',
      detail: `${size} bytes in parts of ${partBytes} makes ${partCount(size, partBytes)} parts, over R2's ${MAX_UPLOAD_PARTS} per upload`,
      details: [{ code: 'too_many_parts', path: 'size', message: `at most ${MAX_UPLOAD_PARTS} parts` }],
    };
  return { partBytes };
}

/** Check the `UPLOAD_PART_BYTES` var: a whole number of bytes from 5 MiB to 64 MiB. */
export function checkServerPartBytes(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < MIN_UPLOAD_PART_BYTES || n > MAX_UPLOAD_PART_BYTES)
    throw new RangeError(
      `UPLOAD_PART_BYTES must be a whole number of bytes from ${MIN_UPLOAD_PART_BYTES} (5 MiB) to ${MAX_UPLOAD_PART_BYTES} (64 MiB), got "${raw}": fix it in wrangler.toml's [vars]`,
    );
  return n;
}

const ended = (s: SessionRecord): Problem | null => {
  switch (s.state) {
    case 'completed':
      return {
        code: 'conflict',
        path: 'id',
        detail: `upload session ${s.id} is already completed: its object is ${s.object?.key ?? 'stored'}; open a new session to upload again`,
        details: { state: s.state },
      };
    case 'aborted':
      return {
        code: 'conflict',
        path: 'id',
        detail: `upload session ${s.id} was aborted${s.error ? ` (${s.error})` : ''}: its parts are gone; open a new session`,
        details: { state: s.state },
      };
    case 'failed':
      return {
        code: 'conflict',
        path: 'id',
        detail: `upload session ${s.id} failed: ${s.error ?? 'no reason given'}; open a new session`,
        details: { state: s.state },
      };
    default:
      return null;
  }
};

/** An open session past R2's 7 days: its multipart upload is gone. */
export const isExpired = (s: SessionRecord, now: number) =>
  s.state === 'open' && now - s.createdAt > UPLOAD_SESSION_TTL_MS;

/**
 * May part `n` be sent with `bytes` bytes (`null`: the length is not declared, the body is cut at the
 * expected size)? Sending a part again replaces it (a retry).
 */
export function checkPart(s: SessionRecord, n: number, bytes: number | null, now: number): Problem | null {
  const state = ended(s);
  if (state) return state;
  if (s.state === 'completing' && (s.leaseUntil ?? 0) > now)
    return {
      code: 'conflict',
      path: 'id',
      detail: `upload session ${s.id} is being completed: no more parts`,
      details: { state: s.state },
    };
  const count = partCount(s.size, s.partBytes);
  if (!Number.isInteger(n) || n < 1 || n > count)
    return {
      code: 'validation_failed',
      path: 'part',
      detail: `part ${n} is not a part of this session: its ${s.size} bytes are parts 1 to ${count} of ${s.partBytes} bytes (the last ${partSize(s.size, s.partBytes, count)})`,
      details: [{ code: 'too_big', path: 'part', message: `parts are 1 to ${count}` }],
    };
  const want = partSize(s.size, s.partBytes, n);
  if (bytes !== null && bytes !== want)
    return {
      code: 'validation_failed',
      path: 'content-length',
      detail:
        n < count
          ? `part ${n} is ${bytes} bytes; every part but the last must be exactly ${want} bytes (the session's partBytes: R2 wants equal parts)`
          : `part ${n} is the last part and must be exactly ${want} bytes (the file's ${s.size} bytes less ${count - 1} parts of ${s.partBytes}), got ${bytes}`,
      details: [{ code: 'part_size', path: 'content-length', message: `expected ${want} bytes` }],
    };
  return null;
}

/** Part numbers of 1..count that have not arrived. */
export function missingParts(count: number, received: readonly { part: number }[]): number[] {
  const have = new Set(received.map((p) => p.part));
  const out: number[] = [];
  for (let n = 1; n <= count; n++) if (!have.has(n)) out.push(n);
  return out;
}

/** May the session be completed now, with these parts? */
export function checkComplete(
  s: SessionRecord,
  received: readonly UploadedPart[],
  now: number,
): Problem | null {
  const state = ended(s);
  if (state) return state;
  if (s.state === 'completing' && (s.leaseUntil ?? 0) > now)
    return {
      code: 'conflict',
      path: 'id',
      detail: `upload session ${s.id} is already being completed by another request`,
      details: { state: s.state },
    };
  const missing = missingParts(partCount(s.size, s.partBytes), received);
  if (missing.length > 0)
    return {
      code: 'conflict',
      path: 'parts',
      detail: `upload session ${s.id} is missing ${missing.length} of ${partCount(s.size, s.partBytes)} parts (${shortList(missing)}): send them, then complete`,
      details: { missing },
    };
  return null;
}

/** May the session be aborted? A completed one is not (its object is the dataset's now). */
export function checkAbort(s: SessionRecord): Problem | null {
  if (s.state === 'completed' || s.state === 'completing') {
    const p = ended(s);
    return (
      p ?? {
        code: 'conflict',
        path: 'id',
        detail: `upload session ${s.id} is being completed: it cannot be aborted now`,
        details: { state: s.state },
      }
    );
  }
  return null;
}

function shortList(ns: number[]): string {
  const shown = ns.slice(0, 10).join(', ');
  return ns.length > 10 ? `${shown}, … ${ns.length - 10} more` : shown;
}

/** The session as the API shows it. */
export function sessionView(
  s: SessionRecord,
  received: readonly UploadedPart[],
  extra: { resumed?: boolean } = {},
): UploadSession {
  const count = partCount(s.size, s.partBytes);
  const iso = (ms: number) => new Date(ms).toISOString();
  const parts = [...received].sort((a, b) => a.part - b.part);
  return {
    id: s.id,
    dataset: s.dataset,
    ...(s.part === null ? {} : { part: s.part }),
    size: s.size,
    ...(s.sha256 === null ? {} : { sha256: s.sha256 }),
    partBytes: s.partBytes,
    parts: count,
    state: s.state,
    received: parts,
    missing: s.state === 'open' || s.state === 'completing' ? missingParts(count, parts) : [],
    receivedBytes: parts.reduce((a, p) => a + p.bytes, 0),
    ...(s.error === null ? {} : { error: s.error }),
    ...(s.object === null ? {} : { object: s.object }),
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    expiresAt: iso(s.createdAt + UPLOAD_SESSION_TTL_MS),
    ...extra,
  };
}
