import type { Report } from '../../schemas/output.ts';
import { resolveScorers } from '../score/index.ts';
import { WINNOW_VERSION } from '../version.ts';
import { PARQUET_PART_NAME } from './parquet.ts';

/** What the card needs besides the report: the job's files, its spec's fields and the card options. */
export interface CardInput {
  report: Report;
  dataset: string;
  /** The job's creation time: the card's only field that differs between two runs of the same job. */
  createdAt: string;
  recipe: {
    seed: number;
    scorers: { id: string; config?: Record<string, unknown> }[];
    select: { budget: number | string };
    pairs?: unknown;
  };
  /** Every output file the job serves, with its size in bytes. */
  files: readonly { name: string; bytes: number }[];
  license: string;
}

/** Hugging Face's size categories, by number of examples. */
export function sizeCategory(n: number): string {
  const bounds: [number, string][] = [
    [1_000, 'n<1K'],
    [10_000, '1K<n<10K'],
    [100_000, '10K<n<100K'],
    [1_000_000, '100K<n<1M'],
    [10_000_000, '1M<n<10M'],
    [100_000_000, '10M<n<100M'],
    [1_000_000_000, '100M<n<1B'],
  ];
  for (const [b, name] of bounds) if (n < b) return name;
  return 'n>1T';
}

/**
 * The files a loader reads as the `train` split, most trainer-ready first: Parquet parts
 * (`data/train-*`), then `train.jsonl`, then the job's own `selected.jsonl` / `pairs.jsonl`.
 */
export function trainFiles(files: readonly { name: string }[]): string {
  const names = new Set(files.map((f) => f.name));
  if (files.some((f) => PARQUET_PART_NAME.exec(f.name)?.[1] === 'data')) return 'data/train-*.parquet';
  for (const name of ['train.jsonl', 'selected.jsonl', 'pairs.jsonl']) if (names.has(name)) return name;
  return 'selected.jsonl';
}

/** A YAML scalar: JSON's double-quoted strings are valid YAML and escape everything that needs it. */
const q = (s: string) => JSON.stringify(s);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const num = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(4)).toString() : String(n));
const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '0%');
/** A Markdown table cell: pipes escaped, newlines flattened. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(head: string[], rows: (string | number)[][]): string {
  const line = (r: (string | number)[]) => `| ${r.map((c) => cell(String(c))).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * The dataset card (`README.md`) of a finished job: Hugging Face YAML front matter (configs and
 * data_files, the split with its number of examples, the size category, the license) and a body
 * from the report: what was selected from what, the recipe, the scorers with their versions, the
 * rejections by reason, the cut, the clusters. Deterministic: a re-run of the same recipe on the same
 * data writes the same card apart from `createdAt`.
 */
export function datasetCard(input: CardInput): string {
  const { report: r, recipe, dataset } = input;
  const pairs = r.pairs;
  const path = trainFiles(input.files);
  // The trainer files leave out records that are not trainable conversations (report.export).
  const trainer = path === 'train.jsonl' || path === 'data/train-*.parquet';
  const examples = trainer && r.export ? r.export.exported : pairs ? pairs.pairs : r.counts.selected;
  // Every other Parquet folder is a config of its own (`selected`, `rejected`, …), its rows one split.
  const folders = [
    ...new Set(
      input.files.flatMap((f) => /^([a-z]+)\/train-\d{5}-of-\d{5}\.parquet$/.exec(f.name)?.[1] ?? []),
    ),
  ].filter((d) => d !== 'data');
  const front = [
    '---',
    `license: ${q(input.license)}`,
    `pretty_name: ${q(`${dataset} (Winnow selection)`)}`,
    'size_categories:',
    `- ${q(sizeCategory(examples))}`,
    'task_categories:',
    '- text-generation',
    'tags:',
    '- winnow',
    `- ${pairs ? 'preference-pairs' : 'data-selection'}`,
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    `    path: ${q(path)}`,
    ...folders.flatMap((d) => [
      `- config_name: ${d}`,
      '  data_files:',
      '  - split: train',
      `    path: ${q(`${d}/train-*.parquet`)}`,
    ]),
    'dataset_info:',
    '  splits:',
    '  - name: train',
    `    num_examples: ${examples}`,
    '---',
  ];
  const body: string[] = [`# ${dataset}: a Winnow ${pairs ? 'preference-pair set' : 'selection'}`, ''];
  const c = r.counts;
  if (pairs) {
    body.push(
      `${int(pairs.pairs)} preference pairs built by [Winnow](https://www.npmjs.com/package/winnow-data) ${WINNOW_VERSION} ` +
        `from ${int(pairs.members.total)} members in ${int(pairs.groups.total)} groups of dataset \`${dataset}\` ` +
        `(${int(c.invalid)} invalid lines), on ${input.createdAt}.`,
    );
  } else {
    body.push(
      `${int(c.selected)} of ${int(c.valid)} valid records (${pct(c.selected, c.valid)}) selected by ` +
        `[Winnow](https://www.npmjs.com/package/winnow-data) ${WINNOW_VERSION} from dataset \`${dataset}\` ` +
        `(${int(c.input)} input records, ${int(c.invalid)} invalid), on ${input.createdAt}. ` +
        `The \`train\` split is \`${path}\`.`,
    );
  }
  body.push('', '## Scorers', '');
  body.push(
    table(
      ['scorer', 'version', 'config'],
      safeScorers(recipe.scorers).map(({ id, version, config }) => [id, version ?? '', config]),
    ),
  );
  const scores = Object.entries(r.scores).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (scores.length > 0) {
    body.push('', '## Scores', '', 'Over every valid record:', '');
    body.push(
      table(
        ['score', 'records', 'mean', 'std', 'min', 'max'],
        scores.map(([name, s]) => [name, int(s.count), num(s.mean), num(s.std), num(s.min), num(s.max)]),
      ),
    );
  }
  if (!pairs) {
    body.push('', '## The cut', '');
    const b = r.budget;
    body.push(
      `Budget: ${typeof b.requested === 'number' ? int(b.requested) : b.requested} requested, ` +
        `${int(b.target)} records targeted, ${b.met ? 'met exactly' : b.reachable ? 'not met' : 'not reachable (too few candidates)'}; ` +
        `strategy \`${String(r.selection.strategy.id ?? '')}\` over ${int(r.selection.candidates)} candidates` +
        (r.threshold
          ? `, cut at rank ${num(r.threshold.rank)} (${int(r.threshold.ties)} ties at the cut).`
          : '.'),
    );
    body.push('', '## Rejected, by reason', '');
    const reasons = Object.entries(r.rejectedByReason).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    body.push(
      reasons.length > 0
        ? table(
            ['reason', 'records', 'share of valid'],
            reasons.map(([why, n]) => [why, int(n), pct(n, c.valid)]),
          )
        : 'None.',
    );
  } else {
    const skipped = Object.entries(pairs.groups.skipped).sort(
      (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
    );
    body.push('', '## Pairs', '');
    body.push(
      `Groups used: ${int(pairs.groups.used)} of ${int(pairs.groups.total)}; score \`${pairs.score}\`` +
        (pairs.margin
          ? `; margin mean ${num(pairs.margin.mean)} (min ${num(pairs.margin.min)}, max ${num(pairs.margin.max)}).`
          : '.'),
    );
    if (skipped.length > 0)
      body.push(
        '',
        table(
          ['skipped because', 'groups'],
          skipped.map(([why, n]) => [why, int(n)]),
        ),
      );
  }
  const cl = r.clusters;
  if (cl) {
    body.push('', '## Clusters', '');
    const per = r.selection.perCluster ?? [];
    body.push(
      `${cl.algorithm === 'gmm' ? 'Gaussian mixture' : 'k-means'}, k = ${cl.k}, ${cl.iterations} iterations` +
        `${cl.converged ? ', converged' : ', not converged'}; fitted on ${cl.fit.path === 'sample' ? `a sample of ${int(cl.fit.sample)} records` : 'every record'}.`,
      '',
      table(
        ['cluster', 'records', 'selected'],
        cl.sizes.map((n, i) => [i, int(n), int(per.find((p) => p.cluster === i)?.selected ?? 0)]),
      ),
    );
  }
  body.push('', '## Recipe', '', 'As the job ran it (defaults filled in):', '', '```json');
  body.push(JSON.stringify(r.recipe, null, 2), '```');
  body.push('', '## Files', '');
  body.push(table(['file', 'bytes'], fileRows(input.files)));
  body.push(
    '',
    '`provenance.json` gives the SHA-256 of every input object, the job id, the recipe hash and the Winnow version.',
    '',
  );
  return `${front.join('\n')}\n\n${body.join('\n')}`;
}

/** The recipe's scorers with their versions (a scorer no longer registered keeps its id, without version). */
function safeScorers(
  refs: CardInput['recipe']['scorers'],
): { id: string; version?: number; config: string }[] {
  return refs.map((ref) => {
    const config =
      ref.config && Object.keys(ref.config).length > 0 ? `\`${JSON.stringify(ref.config)}\`` : '';
    try {
      const [s] = resolveScorers([ref]);
      return { id: ref.id, version: s.scorer.version, config };
    } catch {
      return { id: ref.id, config };
    }
  });
}

/** The files table: each file with its size, Parquet parts summed per folder (`data/train-*.parquet (12 parts)`). */
function fileRows(files: CardInput['files']): string[][] {
  const rows: string[][] = [];
  const folders = new Map<string, { parts: number; bytes: number; at: number }>();
  for (const f of files) {
    const m = PARQUET_PART_NAME.exec(f.name);
    if (!m) {
      rows.push([`\`${f.name}\``, int(f.bytes)]);
      continue;
    }
    const d = folders.get(m[1]);
    if (d) {
      d.parts++;
      d.bytes += f.bytes;
    } else folders.set(m[1], { parts: 1, bytes: f.bytes, at: rows.push([]) - 1 });
  }
  for (const [name, d] of folders)
    rows[d.at] = [`\`${name}/train-*.parquet\` (${d.parts} part${d.parts === 1 ? '' : 's'})`, int(d.bytes)];
  return rows;
}
