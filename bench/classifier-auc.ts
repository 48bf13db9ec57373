/**
 * The classifier scorer's held-out AUC against scikit-learn's LogisticRegression on the same texts and
 * labels (issue #18, part 3). Each task is a binary label over Dolly (`../shared/data/dolly-3k.json`,
 * its `category`): Winnow's 5-fold stratified cross-validated AUC (the fit's own `auc`), with its
 * default features (sublinear TF of hashed word 1–2-grams plus standardized offline scores), with
 * TF-IDF instead of TF (`features.idf: true`), and with the n-grams alone as before
 * (`features: {idf: false, scores: []}`), against scikit-learn 1.2's
 * TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)) → LogisticRegression, 5-fold stratified
 * cross-validated AUC (bench/classifier_sklearn.py).
 *
 *   npx node bench/classifier-auc.ts [--skip-sklearn]
 *
 * Prints a markdown table and writes bench/out/classifier-auc.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentHash, normalizeRecord } from '../src/formats/index.ts';
import { ClassifierConfigSchema, classifierScorer } from '../src/score/classifier/index.ts';
import '../src/score/index.ts';
import type { ScoreInput } from '../src/score/types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const skipSklearn = process.argv.includes('--skip-sklearn');

interface Dolly {
  instruction: string;
  input?: string;
  context?: string;
  output?: string;
  response?: string;
  category: string;
}
const dolly = JSON.parse(
  readFileSync(join(ROOT, '..', 'shared', 'data', 'dolly-3k.json'), 'utf8'),
) as Dolly[];

const TASKS: { name: string; positive: string[]; negative?: string[] }[] = [
  { name: 'open_qa vs classification', positive: ['open_qa'], negative: ['classification'] },
  { name: 'brainstorming + creative_writing vs the rest', positive: ['brainstorming', 'creative_writing'] },
  {
    name: 'closed_qa + information_extraction vs the rest',
    positive: ['closed_qa', 'information_extraction'],
  },
];

const rows: object[] = [];
for (const task of TASKS) {
  const chosen = dolly.filter(
    (d) => task.positive.includes(d.category) || !task.negative || task.negative.includes(d.category),
  );
  const records: ScoreInput[] = chosen.map((d, i) => {
    const row = {
      instruction: d.instruction,
      input: d.input ?? d.context ?? '',
      output: d.output ?? d.response ?? '',
      label: task.positive.includes(d.category) ? 'good' : 'bad',
    };
    const n = normalizeRecord(JSON.stringify(row), 'auto');
    if (!n.ok) throw new Error(`dolly row ${i}: ${n.error.message}`);
    return { id: String(i), hash: contentHash(n.turns), turns: n.turns, record: n.record };
  });
  const result: Record<string, unknown> = {
    task: task.name,
    records: records.length,
    positives: records.filter((r) => (r.record as { label: string }).label === 'good').length,
  };
  for (const [name, features] of [
    ['winnow', undefined],
    ['winnowNgramsOnly', { idf: false, scores: [] }],
    ['winnowTfidf', { idf: true, scores: ['length', 'lexical', 'heuristics', 'perplexity'] }],
  ] as const) {
    const config = ClassifierConfigSchema.parse(features ? { features } : {});
    const t0 = performance.now();
    const fit = await classifierScorer.fit!({ self: records, references: {}, seed: 1 }, config);
    result[name] = {
      auc: fit.summary.auc,
      aucStd: fit.summary.aucStd,
      seconds: (performance.now() - t0) / 1000,
    };
  }
  if (!skipSklearn) {
    const file = join(OUT, 'classifier-auc.jsonl');
    mkdirSync(OUT, { recursive: true });
    writeFileSync(
      file,
      `${records.map((r) => JSON.stringify({ text: r.turns.map((t) => t.content).join('\n\n'), y: (r.record as { label: string }).label === 'good' ? 1 : 0 })).join('\n')}\n`,
    );
    const py = spawnSync('/usr/bin/python3', [join(ROOT, 'bench', 'classifier_sklearn.py'), file], {
      encoding: 'utf8',
    });
    if (py.status !== 0) throw new Error(`classifier_sklearn.py: ${py.stderr}`);
    result.sklearn = JSON.parse(py.stdout);
  }
  rows.push(result);
  process.stderr.write(`${JSON.stringify(result)}\n`);
}
writeFileSync(join(OUT, 'classifier-auc.json'), `${JSON.stringify(rows, null, 2)}\n`);
const f = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : '');
console.log(
  '| task | records | positives | Winnow AUC (default: TF + scores) | Winnow (TF-IDF + scores) | Winnow (n-grams only, before) | scikit-learn AUC | default − sklearn |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows as {
  task: string;
  records: number;
  positives: number;
  winnow: { auc: number };
  winnowTfidf: { auc: number };
  winnowNgramsOnly: { auc: number };
  sklearn?: { auc: number };
}[]) {
  const diff = r.sklearn ? r.winnow.auc - r.sklearn.auc : undefined;
  console.log(
    `| ${r.task} | ${r.records} | ${r.positives} | ${f(r.winnow.auc)} | ${f(r.winnowTfidf.auc)} | ${f(r.winnowNgramsOnly.auc)} | ${f(r.sklearn?.auc)} | ${diff === undefined ? '' : `${diff >= 0 ? '+' : ''}${f(diff)}`} |`,
  );
}
