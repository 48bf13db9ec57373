import { WinnowError } from '../../src/errors.ts';
import { outputManifestKey } from '../../src/pipeline/keys.ts';
import {
  checkOutput,
  type OutputFile,
  type OutputManifest,
  outputChunks,
} from '../../src/pipeline/outputs.ts';
import { r2Store } from '../r2-store.ts';

/** A finished job's output manifest (null until the job is done). */
export async function readManifest(bucket: R2Bucket, job: string): Promise<OutputManifest | null> {
  const o = await bucket.get(outputManifestKey(job));
  if (!o) return null;
  const m = (await o.json()) as OutputManifest;
  if (!Array.isArray(m.files) || m.files.some((f) => !Array.isArray(f.parts)))
    throw new WinnowError('conflict', {
      detail: `job "${job}" was written by an older Winnow whose manifest does not list part keys: run it again`,
    });
  return m;
}

/**
 * Serve an output file: every part is checked first (a missing or short part is an `output_missing`
 * error naming its key, before any byte is sent), then the parts stream in order.
 */
export async function outputResponse(bucket: R2Bucket, file: OutputFile): Promise<Response> {
  const store = r2Store(bucket);
  await checkOutput(store, file);
  const chunks = outputChunks(store, file);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: { 'content-type': file.contentType, 'x-winnow-bytes': String(file.bytes) },
  });
}

/** Several output files served as one (a pair set's rounds): their parts, one file after another. */
export function concatFiles(name: string, files: readonly OutputFile[], contentType: string): OutputFile {
  return {
    name,
    contentType,
    bytes: files.reduce((a, f) => a + f.bytes, 0),
    parts: files.flatMap((f) => f.parts),
  };
}
