import { z } from 'zod';
import { DatasetInfoSchema, objectName } from './api.ts';

/** An upload session's id (`u…`), as `POST /v1/datasets/:name/uploads` returns it. */
export const UploadIdSchema = z
  .string()
  .regex(
    /^u[0-9a-z]{8,40}$/,
    'upload session ids are "u" then 8-40 of 0-9 a-z, as POST /v1/datasets/{name}/uploads returns them',
  );

/** A part's number in a session: 1 to the session's `parts` (R2 allows at most 10,000). */
export const PartNumberSchema = z.coerce
  .number()
  .int('part numbers are whole numbers')
  .min(1, 'part numbers start at 1')
  .max(10_000, 'a session has at most 10,000 parts (R2)');

/** `POST /v1/datasets/:name/uploads`: open a session, or find the open one for the same file. */
export const UploadCreateSchema = z.strictObject({
  /** The file's bytes, as sent (compressed, for gzip). */
  size: z.number().int().min(1, 'an empty file has nothing to send in parts: PUT it'),
  /**
   * The file's SHA-256 (hex). An open session of the dataset (and part) with the same hash and size
   * is returned instead of a new one, with the parts it already holds: that is how an upload resumes.
   */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lowercase hex digits')
    .optional(),
  /** Append the file as this part of an existing dataset (as `PUT …/parts/:part`), instead of replacing it. */
  part: objectName('part').optional(),
  /** Bytes per part, every part but the last: 5 MiB (R2's least) to the server's `UPLOAD_PART_BYTES`, its default. */
  partBytes: z.number().int().optional(),
});
export type UploadCreate = z.infer<typeof UploadCreateSchema>;

export const UploadStateSchema = z.enum(['open', 'completing', 'completed', 'aborted', 'failed']);
export type UploadState = z.infer<typeof UploadStateSchema>;

export const UploadedPartSchema = z.object({
  part: z.number(),
  bytes: z.number(),
  etag: z.string(),
});
export type UploadedPart = z.infer<typeof UploadedPartSchema>;

export const UploadSessionSchema = z.object({
  id: z.string(),
  dataset: z.string(),
  /** Set when the session appends a part. */
  part: z.string().optional(),
  size: z.number(),
  sha256: z.string().optional(),
  partBytes: z.number(),
  /** How many parts the file is cut into: every one `partBytes` long but the last. */
  parts: z.number(),
  state: UploadStateSchema,
  /** The parts stored so far, by number. */
  received: z.array(UploadedPartSchema),
  /** The numbers of the parts still to send. */
  missing: z.array(z.number()),
  receivedBytes: z.number(),
  /** Why a `failed` session failed (the gzip did not decompress, the dataset was deleted, …). */
  error: z.string().optional(),
  /** The stored object, once completed. */
  object: z.object({ key: z.string(), size: z.number(), etag: z.string() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** R2 discards an unfinished multipart upload 7 days after it started: the session is open until then. */
  expiresAt: z.string(),
  /** On `POST …/uploads`: true when an open session for the same file was found and returned. */
  resumed: z.boolean().optional(),
});
export type UploadSession = z.infer<typeof UploadSessionSchema>;

export const UploadListSchema = z.object({ sessions: z.array(UploadSessionSchema) });
export type UploadList = z.infer<typeof UploadListSchema>;

export const UploadListQuerySchema = z.object({
  state: UploadStateSchema.optional(),
  sha256: z.string().optional(),
});

export const UploadCompletedSchema = z.object({
  session: UploadSessionSchema,
  dataset: DatasetInfoSchema,
});
export type UploadCompleted = z.infer<typeof UploadCompletedSchema>;

/**
 * An R2 event notification, as R2 sends it to a queue (developers.cloudflare.com/r2/buckets/
 * event-notifications, "Message format"). `object.size` and `object.eTag` are absent for deletes.
 */
export const R2NotificationSchema = z.object({
  account: z.string(),
  action: z.string(),
  bucket: z.string(),
  object: z.object({
    key: z.string(),
    size: z.number().optional(),
    eTag: z.string().optional(),
  }),
  eventTime: z.string().optional(),
  copySource: z.object({ bucket: z.string(), object: z.string() }).optional(),
});
export type R2Notification = z.infer<typeof R2NotificationSchema>;

/** `PUT …/uploads/:id/parts/:n`: the part stored, and how far the session is. */
export const UploadPartResultSchema = z.object({
  part: z.number(),
  bytes: z.number(),
  etag: z.string(),
  /** Parts stored so far, of `parts`. */
  received: z.number(),
  parts: z.number(),
});
export type UploadPartResult = z.infer<typeof UploadPartResultSchema>;
