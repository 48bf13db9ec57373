import { Sha256, streamingSha256 } from '../formats/sha256.ts';
import { datasetPrefix } from '../pipeline/keys.ts';
import type { BlobStore } from '../pipeline/store.ts';
import type { JobSpec } from '../pipeline/types.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { hex, shortHash } from '../util/hex.ts';
import { WINNOW_VERSION } from '../version.ts';

/** One input object of a job, as provenance.json lists it. */
export interface InputDigest {
  /** Its place among the dataset's objects (sources carry it as `part` when there are several). */
  part: number;
  key: string;
  bytes: number;
  etag: string;
  /** SHA-256 of the object's bytes as stored (a gzip upload is stored decompressed). */
  sha256: string;
}

/** Bytes hashed per read: one range read at a time, never the whole object. */
const CHUNK = 8 * 1024 * 1024;

/** Where a digest is kept, per object version: a re-run (or another job on the dataset) does not read it again. */
const digestKey = (dataset: string, key: string, etag: string) =>
  `${datasetPrefix(dataset)}.winnow/sha256/${shortHash(`${key}\n${etag}`, 32)}.json`;

/**
 * The SHA-256 of every input object of the job, read by ranges pinned to the version the job started
 * on, and kept beside the dataset for the next job on the same version.
 */
export async function inputDigests(store: BlobStore, spec: JobSpec): Promise<InputDigest[]> {
  const out: InputDigest[] = [];
  for (const [part, object] of spec.objects.entries()) {
    const kept = digestKey(spec.dataset, object.key, object.etag);
    const known = await store.get(kept);
    if (known) {
      const d = JSON.parse(new TextDecoder().decode(known)) as InputDigest;
      if (d.key === object.key && d.etag === object.etag && d.bytes === object.size) {
        out.push({ ...d, part });
        continue;
      }
    }
    const h = streamingSha256();
    for (let at = 0; at < object.size; at += CHUNK) {
      await h.update(await store.range(object.key, at, Math.min(CHUNK, object.size - at), object.etag));
    }
    const d: InputDigest = {
      part,
      key: object.key,
      bytes: object.size,
      etag: object.etag,
      sha256: hex(await h.digest()),
    };
    await store.put(kept, JSON.stringify(d));
    out.push(d);
  }
  return out;
}

/** SHA-256 of the recipe as the job ran it (defaults filled in), over its canonical JSON. */
export function recipeHash(recipe: unknown): string {
  return hex(new Sha256().update(new TextEncoder().encode(canonicalJson(recipe))).digest());
}

/** provenance.json: what the outputs were made from and by what. */
export function provenance(
  spec: JobSpec,
  inputs: readonly InputDigest[],
  files: readonly { name: string; bytes: number }[],
) {
  return {
    winnow: WINNOW_VERSION,
    job: spec.id,
    dataset: spec.dataset,
    createdAt: spec.createdAt,
    ...(spec.previous ? { previous: spec.previous } : {}),
    recipeSha256: recipeHash(spec.recipe),
    seed: spec.recipe.seed,
    inputs,
    outputs: files.map((f) => ({ name: f.name, bytes: f.bytes })),
  };
}
