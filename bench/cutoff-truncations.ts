/**
 * The cut-off rule on generated truncations of real answers: Alpaca's answers of 6+ words, each cut
 * (a) right after a connective ("… and the", "… of") and (b) inside a word ("… the atmosph"), at a
 * seeded position; and the untouched answers, which must stay unflagged (one-word classification
 * answers included). Prints the share flagged hard (what the default filter removes) and soft, by
 * answer shape (list, short, prose):
 *
 *   npx node bench/cutoff-truncations.ts [alpaca-random-9k.json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../src/demo/index.ts';
import { HeuristicsConfigSchema } from '../src/score/heuristics/index.ts';
import { evaluate } from '../src/score/heuristics/rules.ts';

const cfg = HeuristicsConfigSchema.parse({});
const CONNECT = [
  'the',
  'and',
  'of',
  'to',
  'a',
  'with',
  'for',
  'in',
  'or',
  'that',
  'an',
  'on',
  'by',
  'from',
  'is',
];

type Shape = 'list' | 'short' | 'prose';
const shapeOf = (cut: string): Shape => {
  const last = cut.slice(cut.lastIndexOf('\n') + 1).trimStart();
  if (/^(?:[-*+•]\s|\d{1,3}[.)]\s?)/.test(last)) return 'list';
  return cut.split(/\s+/).length < 12 ? 'short' : 'prose';
};

const tally = () => ({ n: 0, hard: 0, soft: 0 });
export type Tally = ReturnType<typeof tally>;
export interface CutoffMeasure {
  /** By set (`original`, `after connective`, `mid-word`), then answer shape. */
  sets: Record<string, Record<Shape | 'all', Tally>>;
  oneWord: { n: number; flagged: number };
}

/** The cut-off rule over the rows' answers, untouched and cut at seeded positions. */
export function measureCutoff(
  rows: readonly { instruction: string; input?: string; output: string }[],
  seed = 7,
): CutoffMeasure {
  const result: CutoffMeasure['sets'] = {};
  function count(kind: string, answer: string, user: string) {
    const hit = evaluate(answer, user, cfg).find((h) => h.rule === 'cut_off');
    const by = (result[kind] ??= { list: tally(), short: tally(), prose: tally(), all: tally() });
    for (const s of [shapeOf(answer), 'all'] as const) {
      by[s].n++;
      if (hit?.hard) by[s].hard++;
      else if (hit) by[s].soft++;
    }
  }

  const rand = mulberry32(seed);
  const oneWord = { n: 0, flagged: 0 };
  for (const r of rows) {
    const user = r.input ? `${r.instruction}\n\n${r.input}` : r.instruction;
    const out = r.output.trim();
    const words = out.split(/\s+/);
    if (words.length === 1) {
      oneWord.n++;
      if (evaluate(out, user, cfg).some((h) => h.rule === 'cut_off')) oneWord.flagged++;
    }
    count('original', out, user);
    if (words.length < 6) continue;
    // (a) After a connective, at a random one past the first two words.
    const spots: number[] = [];
    const re = /\S+/g;
    for (let m = re.exec(out), i = 0; m; m = re.exec(out), i++) {
      if (i >= 2 && CONNECT.includes(m[0].toLowerCase())) spots.push(m.index + m[0].length);
    }
    if (spots.length > 0)
      count('after connective', out.slice(0, spots[Math.floor(rand() * spots.length)]), user);
    // (b) Inside a word of 5+ letters past the first two words: keep 2..len-2 of its letters.
    const long: [number, number][] = [];
    const wre = /[A-Za-z]{5,}/g;
    for (let m = wre.exec(out); m; m = wre.exec(out)) if (m.index > 10) long.push([m.index, m[0].length]);
    if (long.length > 0) {
      const [at, len] = long[Math.floor(rand() * long.length)];
      count('mid-word', out.slice(0, at + 2 + Math.floor(rand() * (len - 3))), user);
    }
  }

  return { sets: result, oneWord };
}

const pct = (a: number, n: number) => (n ? `${((100 * a) / n).toFixed(1)}%` : '-');
if (import.meta.main) {
  const file = process.argv[2] ?? join(import.meta.dirname, '../../shared/data/alpaca-random-9k.json');
  const rows = JSON.parse(readFileSync(file, 'utf8'));
  const { sets: result, oneWord } = measureCutoff(rows);
  console.log('| set | shape | answers | hard (removed) | soft |');
  console.log('|---|---|---|---|---|');
  for (const [kind, by] of Object.entries(result)) {
    for (const s of ['all', 'list', 'short', 'prose'] as const) {
      const t = by[s];
      console.log(`| ${kind} | ${s} | ${t.n} | ${pct(t.hard, t.n)} | ${pct(t.soft, t.n)} |`);
    }
  }
  console.log(`one-word answers: ${oneWord.n}, flagged ${oneWord.flagged}`);
}
