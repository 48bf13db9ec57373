import type { Report } from '../../../../schemas/output.ts';
import { datasetCard } from '../../../export/card.ts';
import { type InputDigest, inputDigests, provenance } from '../../../export/provenance.ts';
import { assemble } from '../../finish.ts';
import { cardKey, provenanceKey } from '../../keys.ts';
import { singleFile } from '../../outputs.ts';
import type { BlobStore } from '../../store.ts';
import type { JobSpec, StageDef } from '../../types.ts';

export const MARKDOWN = 'text/markdown; charset=utf-8';

/** What the card stage wrote: the two files' sizes, and the inputs' digests. */
export interface CardState {
  card?: number;
  provenance?: number;
  inputs?: InputDigest[];
}

interface CardInput {
  /** The report of the stages before this one (stage times left out: the card does not show them). */
  report: Report;
  /** Every output of the stages before this one. */
  files: { name: string; bytes: number }[];
}

type CardResult = Required<CardState>;

/** Hash the inputs, then write provenance.json and (unless the recipe turns it off) README.md. */
export async function writeCard(store: BlobStore, spec: JobSpec, input: CardInput): Promise<CardResult> {
  const inputs = await inputDigests(store, spec);
  const prov = `${JSON.stringify(provenance(spec, inputs, input.files), null, 2)}\n`;
  const encoder = new TextEncoder();
  const provBytes = encoder.encode(prov);
  await store.put(provenanceKey(spec.id), provBytes, 'application/json');
  const { card: wanted, license } = spec.recipe.export;
  let card = 0;
  if (wanted) {
    const text = encoder.encode(
      datasetCard({
        report: input.report,
        dataset: spec.dataset,
        createdAt: spec.createdAt,
        recipe: spec.recipe,
        files: input.files,
        license,
      }),
    );
    await store.put(cardKey(spec.id), text, MARKDOWN);
    card = text.byteLength;
  }
  return { card, provenance: provBytes.byteLength, inputs };
}

/**
 * The last stage of every job: the SHA-256 of every input object (kept per object version, so only
 * a dataset's first job reads it whole), provenance.json, and the dataset card README.md, written
 * from the report of the stages before it.
 */
export const cardStage: StageDef<CardState, CardInput, { write: CardResult }> = {
  id: 'card',
  queue: 'export',
  summary: 'hash the inputs and write provenance.json and the dataset card (README.md)',
  applies: () => true,
  start: () => ({ step: 'write', state: {} }),
  steps: {
    write: { fan: 'one', run: (t, env) => writeCard(env.store, t.spec, t.input) },
  },
  input(view) {
    const { report, files } = assemble(view, {}, 0, 'card');
    return { report, files: files.map((f) => ({ name: f.name, bytes: f.bytes })) };
  },
  next: (_view, { results }) => ({ done: true, state: results[0] }),
  trailer: true,
  outputs(view, s) {
    if (!s?.provenance) return [];
    const job = view.spec.id;
    return [
      ...(s.card ? [singleFile('README.md', cardKey(job), s.card, MARKDOWN)] : []),
      singleFile('provenance.json', provenanceKey(job), s.provenance),
    ];
  },
};
