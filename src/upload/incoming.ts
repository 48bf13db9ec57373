/**
 * Files dropped into the bucket under `incoming/`: which dataset and part an object key names.
 *
 *   incoming/<dataset>/<part>      e.g. incoming/chat/0001.jsonl, incoming/chat/0002.parquet
 *
 * `<dataset>` and `<part>` follow the name rule of the API (1-128 of A-Z a-z 0-9 . _ -, starting with
 * a letter or digit). The part's name is the file's name: the dataset's parts are ordered by it
 * among those no job has read yet, so `0001.jsonl`, `0002.jsonl`, … keep their order. An object put
 * again under the same key replaces its part in place.
 */

export const INCOMING_PREFIX = 'incoming/';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export type IncomingKey = { dataset: string; part: string } | { problem: string };

export function parseIncomingKey(key: string): IncomingKey {
  if (!key.startsWith(INCOMING_PREFIX)) return { problem: `"${key}" is not under ${INCOMING_PREFIX}` };
  const rest = key.slice(INCOMING_PREFIX.length).split('/');
  if (rest.length !== 2)
    return {
      problem: `"${key}" is not incoming/<dataset>/<part>: it has ${rest.length === 1 ? 'no dataset folder' : `${rest.length - 1} folders`} under incoming/`,
    };
  const [dataset, part] = rest;
  if (!NAME.test(dataset))
    return {
      problem: `"${key}": the dataset "${dataset}" breaks the name rule (1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit)`,
    };
  if (!NAME.test(part))
    return {
      problem: `"${key}": the part "${part}" breaks the name rule (1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit)`,
    };
  return { dataset, part };
}

/** The notification actions that put an object (R2's `object-create` event type). */
export const CREATE_ACTIONS: ReadonlySet<string> = new Set([
  'PutObject',
  'CopyObject',
  'CompleteMultipartUpload',
]);
