import { R2NotificationSchema } from '../../schemas/upload.ts';
import { type DatasetObject, newVersion, versionKey } from '../../src/pipeline/dataset-objects.ts';
import { CREATE_ACTIONS, parseIncomingKey } from '../../src/upload/index.ts';
import { keeper } from '../dataset-keeper.ts';
import { readManifest } from '../dataset-manifest.ts';
import { maxUploadBytes, streamToR2 } from '../http/upload.ts';

/** The queue R2 event notifications for `incoming/` go to (wrangler.toml), and its dead-letter queue. */
export const INCOMING_QUEUE = 'winnow-incoming';
export const isIncomingQueue = (queue: string) =>
  queue === INCOMING_QUEUE || queue === `${INCOMING_QUEUE}-dlq`;

export type IncomingOutcome =
  | { state: 'created' | 'appended' | 'unchanged'; dataset: string; part: string; key: string }
  | { state: 'skipped'; key?: string; reason: string };

/**
 * One R2 event notification: an object put under `incoming/<dataset>/<part>` becomes part `<part>`
 * of the dataset (created with it when new), through the dataset's keeper, so it is serialized with
 * every other change to the dataset. The object stays where it is and stays the user's, as a
 * registered key does; a gzip object is read through a decompressed copy under the dataset's prefix.
 * A notification that names nothing to register (another action, a key outside the naming rule, an
 * object deleted since) is skipped with the reason; the same object notified twice registers once.
 */
export async function registerIncoming(env: Env, body: unknown): Promise<IncomingOutcome> {
  const parsed = R2NotificationSchema.safeParse(body);
  if (!parsed.success) return { state: 'skipped', reason: 'not an R2 event notification' };
  const { action, object } = parsed.data;
  const key = object.key;
  if (!CREATE_ACTIONS.has(action))
    return { state: 'skipped', key, reason: `action ${action} is not an object-create action` };
  const named = parseIncomingKey(key);
  if ('problem' in named) return { state: 'skipped', key, reason: named.problem };
  const { dataset, part } = named;
  // The object as it is now (a later put has a later notification of its own).
  const head = await env.DATA_BUCKET.head(key);
  if (!head) return { state: 'skipped', key, reason: `"${key}" is no longer in the bucket` };
  const manifest = await readManifest(env.DATA_BUCKET, dataset);
  const known = manifest?.objects.some(
    (o) => o.part === part && (o.source?.key ?? o.key) === key && (o.source?.etag ?? o.etag) === head.etag,
  );
  if (known) return { state: 'unchanged', dataset, part, key };
  let entry: DatasetObject = { key, size: head.size, etag: head.etag };
  if (await isGzip(env.DATA_BUCKET, key)) {
    const whole = await env.DATA_BUCKET.get(key);
    if (!whole) return { state: 'skipped', key, reason: `"${key}" is no longer in the bucket` };
    const copy = await streamToR2(
      env.DATA_BUCKET,
      versionKey(dataset, newVersion(), `incoming/${part}`),
      whole.body,
      {
        maxBytes: maxUploadBytes(env),
        what: `the gzip object "${key}"`,
        hint: 'put it decompressed, or raise MAX_UPLOAD_BYTES in [vars]',
      },
    );
    entry = { key: copy.key, size: copy.size, etag: copy.etag, source: { key, etag: whole.etag } };
  }
  const { state } = await keeper(env, dataset).adopt(dataset, part, entry);
  // A duplicate that raced past the check above: its copy is not needed.
  if (state === 'unchanged' && entry.source) await env.DATA_BUCKET.delete(entry.key);
  return { state, dataset, part, key };
}

async function isGzip(bucket: R2Bucket, key: string): Promise<boolean> {
  const o = await bucket.get(key, { range: { offset: 0, length: 2 } });
  if (!o) return false;
  const b = new Uint8Array(await o.arrayBuffer());
  return b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * The `incoming` queue's consumer. A message is acked once registered or skipped; an object that
 * cannot be registered (not valid gzip, over MAX_UPLOAD_BYTES) is logged with the reason and acked,
 * since a retry reads the same bytes; anything else (R2, a Durable Object) is retried.
 */
export async function incomingQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    if (batch.queue.endsWith('-dlq')) {
      console.error(`incoming: gave up on ${JSON.stringify(message.body).slice(0, 300)}`);
      message.ack();
      continue;
    }
    try {
      const outcome = await registerIncoming(env, message.body);
      if (outcome.state === 'skipped') console.warn(`incoming: skipped: ${outcome.reason}`);
      message.ack();
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const code = (e as { code?: string }).code;
      if (code === 'malformed_input' || code === 'payload_too_large') {
        console.error(`incoming: not registered: ${text}`);
        message.ack();
      } else {
        console.error(`incoming: ${text}; retrying`);
        message.retry({ delaySeconds: Math.min(30, 2 ** message.attempts) });
      }
    }
  }
}
