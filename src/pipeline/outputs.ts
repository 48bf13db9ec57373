import { decodeMatrix, npyHeader } from '../embed/matrix-file.ts';
import { WinnowError } from '../errors.ts';
import type { BlobStore } from './store.ts';

export const JSONL = 'application/x-ndjson; charset=utf-8';
export const JSON_TYPE = 'application/json';
export const NPY = 'application/octet-stream';

/** One stored object of an output file, and its size in bytes as stored. */
export interface OutputPart {
  key: string;
  bytes: number;
}

/**
 * An output file of a finished job, as its manifest lists it: the parts it is served from, in
 * order. `concat` (the default) serves the parts one after another; `npy` serves a NumPy header for
 * `shape`, then each part's rows without the part's own matrix header (src/embed/matrix-file.ts).
 */
export interface OutputFile {
  name: string;
  contentType: string;
  /** Bytes served. */
  bytes: number;
  parts: OutputPart[];
  layout?: 'concat' | 'npy';
  /** `npy`: [rows, dim]. */
  shape?: [rows: number, dim: number];
}

/** Every output of a job, report.json included: written once the job is done, beside report.json. */
export interface OutputManifest {
  files: OutputFile[];
}

/** A JSONL file stored as one part per shard (or partition): part `p` holds `bytes[p]`. */
export function jsonlFile(name: string, keys: readonly string[], bytes: readonly number[]): OutputFile {
  if (keys.length !== bytes.length)
    throw new Error(`output ${name}: ${keys.length} part keys but ${bytes.length} part sizes`);
  const parts = keys.map((key, p) => ({ key, bytes: bytes[p] }));
  return { name, contentType: JSONL, bytes: sum(parts), parts };
}

/** A file stored as one object. */
export function singleFile(name: string, key: string, bytes: number, contentType = JSON_TYPE): OutputFile {
  return { name, contentType, bytes, parts: [{ key, bytes }] };
}

const sum = (parts: readonly OutputPart[]) => parts.reduce((a, p) => a + p.bytes, 0);

function missing(file: OutputFile, key: string, why: string): WinnowError {
  return new WinnowError('output_missing', {
    detail: `output ${file.name} cannot be served: part ${key} ${why}`,
    details: { file: file.name, key },
  });
}

/**
 * Check that every part of `file` is stored with the size the manifest gives (HEAD only), so that a
 * response never starts on a file it cannot finish. Throws `output_missing` naming the key.
 */
export async function checkOutput(store: BlobStore, file: OutputFile): Promise<void> {
  for (const part of file.parts) {
    const info = await store.head(part.key);
    if (!info) throw missing(file, part.key, 'is missing');
    if (info.size !== part.bytes)
      throw missing(file, part.key, `holds ${info.size} bytes, the manifest says ${part.bytes}`);
  }
}

/**
 * The bytes of `file`, part by part, in order: what every host serves (the API, the in-process
 * reference). A missing or short part throws `output_missing` naming its key: never a short file.
 */
export async function* outputChunks(store: BlobStore, file: OutputFile): AsyncGenerator<Uint8Array> {
  if (file.layout === 'npy') {
    const [rows, dim] = file.shape ?? [0, 0];
    yield npyHeader(rows, dim);
  }
  for (const part of file.parts) {
    const bytes = await store.get(part.key);
    if (!bytes) throw missing(file, part.key, 'is missing');
    if (bytes.byteLength !== part.bytes)
      throw missing(file, part.key, `holds ${bytes.byteLength} bytes, the manifest says ${part.bytes}`);
    if (file.layout !== 'npy') {
      if (bytes.byteLength > 0) yield bytes;
      continue;
    }
    const { data } = decodeMatrix(bytes);
    if (data.byteLength > 0) yield new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
}

/** The manifest's entry for `name`, or `not_found` listing the job's outputs. */
export function outputNamed(manifest: OutputManifest, name: string): OutputFile {
  const file = manifest.files.find((f) => f.name === name);
  if (!file)
    throw new WinnowError('not_found', {
      detail: `no output "${name}"; outputs: ${manifest.files.map((f) => f.name).join(', ')}`,
    });
  return file;
}

/** A whole output file as text (tests, the in-process reference). */
export async function outputText(store: BlobStore, file: OutputFile): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of outputChunks(store, file)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
