import type { Report } from '../../../../schemas/output.ts';
import {
  alpacaRow,
  axolotlYaml,
  type Checked,
  CONFIG_FILES,
  type ConfigFile,
  datasetInfo,
  type ExportPlan,
  exportPlan,
  ROW_FILES,
  type RowFile,
  rowLine,
  sharegptRow,
  trainConversation,
  trlRow,
} from '../../../export/index.ts';
import { fromJsonl } from '../../jsonl.ts';
import { exportConfigKey, outputPartKey } from '../../keys.ts';
import { JSON_TYPE, jsonlFile, type OutputFile, singleFile } from '../../outputs.ts';
import { readShardRecords } from '../../shard-records.ts';
import { type BlobStore, getText } from '../../store.ts';
import type { JobSpec, JobView, ShardInfo } from '../../types.ts';

/** Not-exported records named per reason in the report (with why); the count has them all. */
export const NOT_EXPORTED_EXAMPLES = 5;

/** What one task of the export's `train` step wrote. */
export interface TrainTally {
  /** Records written to every row file. */
  exported: number;
  /** Records left out of every row file, by reason, and the first few of each. */
  notExported: Record<string, number>;
  examples: Record<string, { id: string; message: string }[]>;
  /** Bytes of this part of each row file. */
  bytes: Partial<Record<RowFile, number>>;
  /** Task 0 only: bytes of the configuration files. */
  configs?: Partial<Record<ConfigFile, number>>;
}

/** The job's export plan: which row and configuration files its formats write. */
export const planOf = (spec: JobSpec): ExportPlan =>
  exportPlan(spec.recipe.export.formats, spec.recipe.pairs !== undefined);

/** Count one record left out, keeping the first few as examples. */
export function leaveOut(t: TrainTally, id: string, checked: Extract<Checked, { ok: false }>): void {
  t.notExported[checked.reason] = (t.notExported[checked.reason] ?? 0) + 1;
  const ex = (t.examples[checked.reason] ??= []);
  if (ex.length < NOT_EXPORTED_EXAMPLES) ex.push({ id, message: checked.message });
}

/** Write the configuration files (task 0 of the step that writes the rows); they depend on the formats only. */
export async function writeConfigs(store: BlobStore, spec: JobSpec): Promise<TrainTally['configs']> {
  const plan = planOf(spec);
  const pairs = spec.recipe.pairs !== undefined;
  const configs: TrainTally['configs'] = {};
  for (const name of plan.configs) {
    const text = name === 'dataset_info.json' ? datasetInfo(plan.rows, pairs) : axolotlYaml(pairs);
    const data = new TextEncoder().encode(text);
    await store.put(exportConfigKey(spec.id, name), data);
    configs[name] = data.byteLength;
  }
  return configs;
}

export const YAML = 'application/yaml; charset=utf-8';

/** A configuration file in the output manifest; empty (no part) when it was not written. */
export function configFile(job: string, name: ConfigFile, bytes: number | undefined): OutputFile {
  const type = name.endsWith('.json') ? JSON_TYPE : YAML;
  if (bytes === undefined) return { name, contentType: type, bytes: 0, parts: [] };
  return singleFile(name, exportConfigKey(job, name), bytes, type);
}

/** Write every row file's parts: `lines[file]` joined as JSONL. */
export async function writeRowParts(
  store: BlobStore,
  spec: JobSpec,
  part: number,
  lines: Map<RowFile, string[]>,
): Promise<TrainTally['bytes']> {
  const bytes: TrainTally['bytes'] = {};
  for (const [file, list] of lines) {
    const data = new TextEncoder().encode(list.length > 0 ? `${list.join('\n')}\n` : '');
    await store.put(outputPartKey(spec.id, file, part), data);
    bytes[file] = data.byteLength;
  }
  return bytes;
}

/**
 * The export's `train` step, per shard, after weights.jsonl: the shard's selected records (those its
 * weights.jsonl part lists, in the same order) as rows of every requested file, each with its
 * weight when `export.weight`. A record that is not a trainable conversation is left out of every
 * file and counted by reason.
 */
export async function writeTrainShard(store: BlobStore, spec: JobSpec, info: ShardInfo): Promise<TrainTally> {
  const { shard } = info;
  const { rows } = planOf(spec);
  const weighted = spec.recipe.export.weight;
  const weights = new Map(
    fromJsonl<{ id: string; weight: number }>(
      await getText(store, outputPartKey(spec.id, 'weights.jsonl', shard)),
    ).map((w) => [w.id, w.weight]),
  );
  const records = await readShardRecords(store, spec.id, info);
  const lines = new Map<RowFile, string[]>(rows.map((f) => [f, []]));
  const t: TrainTally = { exported: 0, notExported: {}, examples: {}, bytes: {} };
  for (const r of records) {
    const w = weights.get(r.id);
    if (w === undefined) continue;
    const checked = trainConversation(r);
    if (!checked.ok) {
      leaveOut(t, r.id, checked);
      continue;
    }
    const c = checked.conversation;
    const weight = weighted ? w : undefined;
    t.exported++;
    lines.get('train.jsonl')?.push(rowLine(trlRow(c, weight)));
    lines.get('train.alpaca.jsonl')?.push(rowLine(alpacaRow(c, r, weight)));
    lines.get('train.sharegpt.jsonl')?.push(rowLine(sharegptRow(c, weight)));
  }
  t.bytes = await writeRowParts(store, spec, shard, lines);
  if (shard === 0) t.configs = await writeConfigs(store, spec);
  return t;
}

/** The tasks' tallies as one: counts added, examples kept in task order, part sizes listed per file. */
export function mergeTrainTallies(tallies: readonly TrainTally[]) {
  const notExported: Record<string, number> = {};
  const examples: TrainTally['examples'] = {};
  let exported = 0;
  for (const t of tallies) {
    exported += t.exported;
    for (const [reason, n] of Object.entries(t.notExported))
      notExported[reason] = (notExported[reason] ?? 0) + n;
    for (const [reason, list] of Object.entries(t.examples))
      examples[reason] = [...(examples[reason] ?? []), ...list].slice(0, NOT_EXPORTED_EXAMPLES);
  }
  const files = new Set(tallies.flatMap((t) => Object.keys(t.bytes) as RowFile[]));
  const partBytes = Object.fromEntries(
    [...files].map((f) => [f, tallies.map((t) => t.bytes[f] ?? 0)]),
  ) as Partial<Record<RowFile, number[]>>;
  return { exported, notExported, examples, partBytes, configs: tallies[0]?.configs ?? {} };
}
export type TrainSummary = ReturnType<typeof mergeTrainTallies>;

/**
 * The trainer files in the output manifest: each row file as `parts` parts (one per shard, or per
 * pairs partition), then the configuration files. Asked before they were written: empty files.
 */
export function trainerFiles(view: JobView, train: TrainSummary | undefined, parts: number): OutputFile[] {
  const plan = planOf(view.spec);
  const job = view.spec.id;
  return [
    ...ROW_FILES.filter((f) => plan.rows.includes(f)).map((f) =>
      jsonlFile(
        f,
        Array.from({ length: parts }, (_, n) => outputPartKey(job, f, n)),
        train?.partBytes[f] ?? [],
      ),
    ),
    ...CONFIG_FILES.filter((f) => plan.configs.includes(f)).map((f) => configFile(job, f, train?.configs[f])),
  ];
}

/** The report's `export` section: the files written with their rows, and what was left out. */
export function exportReport(view: JobView, train: TrainSummary | undefined): Report['export'] {
  const plan = planOf(view.spec);
  const rows = train?.exported ?? 0;
  return {
    formats: view.spec.recipe.export.formats,
    weight: view.spec.recipe.export.weight && !view.spec.recipe.pairs,
    files: [...plan.rows.map((name) => ({ name, rows })), ...plan.configs.map((name) => ({ name }))],
    exported: rows,
    notExported: Object.values(train?.notExported ?? {}).reduce((a, n) => a + n, 0),
    notExportedByReason: train?.notExported ?? {},
    examples: train?.examples ?? {},
  };
}
