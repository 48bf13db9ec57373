/**
 * A seeded generator of Alpaca-shaped JSONL at any size, for the 1M-record benchmark: mostly
 * distinct records (instructions and answers composed from English word lists, so the cell cache,
 * dedup and the n-gram model see realistic variety), with the kinds of repetition real instruction
 * data has:
 *
 * - exact duplicates (2%): an earlier line repeated as it was;
 * - near duplicates (6%): an earlier record with a word or two changed, a sentence dropped or
 *   punctuation and case altered (most stay above the near-dedup Jaccard threshold);
 * - shared templates: every instruction comes from a few dozen templates, as in self-instruct data;
 * - junk (8%): empty, terse, repetitive or cut-off answers;
 * - invalid lines (0.05%): broken JSON and records of no known format.
 *
 *   node bench/gen-alpaca.ts <records> <out.jsonl> [seed]
 *
 * The same (records, seed) always gives the same bytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mulberry32 } from '../src/demo/random.ts';

const NOUNS = (
  'account answer apple area argument article audience author balance bank battery behavior bird ' +
  'book border bottle brain bridge budget building business camera campaign car career cell ' +
  'century chain chapter character chemical child choice circle city climate cloud coast code ' +
  'college community company computer concept contract country course court crowd culture ' +
  'customer data database decision design device diet disease document dog economy editor ' +
  'election energy engine engineer environment equation error essay event evidence experiment ' +
  'factor family farm feature festival film forest formula fossil friend function galaxy game ' +
  'garden gene government graph group habit harbor history hospital hotel idea image industry ' +
  'insect island job journey judge kitchen language law leader lesson letter library light ' +
  'machine manager map market meal measure medicine memory message method metal mineral model ' +
  'molecule moment money motor mountain museum music nation network novel ocean office opinion ' +
  'orbit organism painting paper patient pattern planet plant poem policy population price ' +
  'problem process product program project protein question rainforest recipe region report ' +
  'restaurant river robot rule satellite schedule school science season sentence server signal ' +
  'skill software soil song species speech sport star statement station story strategy student ' +
  'study sugar survey system table teacher team technology telescope temperature theory tool ' +
  'tower town tradition train tree trend university valley vehicle village virus voice volcano ' +
  'website weather wind window winter worker writer'
).split(' ');
const ADJECTIVES = (
  'ancient basic better bright careful central cheap clean clear common complex creative critical ' +
  'cultural curious dangerous deep different digital direct early easy effective efficient ' +
  'electric emotional environmental essential everyday expensive familiar famous fast flexible ' +
  'foreign formal fresh friendly global gradual green healthy heavy helpful hidden historical ' +
  'honest huge important independent interesting large legal light likely local logical long ' +
  'major medical modern natural negative new noisy normal obvious old ordinary original personal ' +
  'physical political popular positive powerful practical private quick quiet rare recent ' +
  'regular reliable remote rural safe scientific serious short significant silent simple slow ' +
  'small social soft special stable strong successful sudden sustainable technical thin tiny ' +
  'traditional typical unusual urban useful valuable visual warm weak wide young'
).split(' ');
const VERBS = (
  'affect analyze build change collect compare connect control create describe design develop ' +
  'discover explain explore improve include increase influence measure move organize produce ' +
  'protect reduce replace represent require shape share show solve support test transform ' +
  'understand use'
).split(' ');
const THIRD = (v: string) =>
  v.endsWith('y') ? `${v.slice(0, -1)}ies` : v.endsWith('sh') ? `${v}es` : `${v}s`;
const ADVERBS =
  'quickly slowly carefully often rarely usually gradually directly easily clearly mostly simply'.split(' ');
const LINKS = [
  'For example,',
  'In practice,',
  'As a result,',
  'However,',
  'In addition,',
  'In many cases,',
  'Over time,',
  'At the same time,',
  'Because of this,',
  'In short,',
];
const NAMES =
  'Alice Ben Carla David Elena Farid Grace Hiro Ines Jamal Kofi Lena Marco Nadia Omar Priya'.split(' ');

const INSTRUCTIONS: ((w: Words) => string)[] = [
  (w) => `Explain how a ${w.adj()} ${w.noun()} can ${w.verb()} a ${w.noun()}.`,
  (w) => `Describe the role of the ${w.noun()} in a ${w.adj()} ${w.noun()}.`,
  (w) => `Write a short story about a ${w.adj()} ${w.noun()} and a ${w.noun()}.`,
  (w) => `Give three tips to ${w.verb()} a ${w.adj()} ${w.noun()}.`,
  (w) => `Compare a ${w.noun()} with a ${w.noun()}.`,
  () => `Summarize the following text in two sentences.`,
  (w) => `Rewrite the following sentence to make it more ${w.adj()}.`,
  (w) => `Classify the following ${w.noun()} as ${w.adj()} or ${w.adj()}.`,
  (w) => `What is the difference between a ${w.noun()} and a ${w.noun()}?`,
  (w) => `Generate a list of ${3 + w.int(5)} ways to ${w.verb()} the ${w.noun()}.`,
  (w) => `Why is the ${w.noun()} important for a ${w.adj()} ${w.noun()}?`,
  (w) => `Suggest a name for a ${w.adj()} ${w.noun()} that helps people ${w.verb()} their ${w.noun()}.`,
  (w) => `Write a ${w.adj()} email to ${w.name()} about the ${w.noun()}.`,
  () => `Edit the following paragraph for grammar and clarity.`,
  (w) => `Create a plan to ${w.verb()} the ${w.noun()} of a ${w.adj()} ${w.noun()}.`,
  (w) => `Find the ${w.adj()} error in the following ${w.noun()}.`,
  () => `Translate the following sentence into plain English.`,
  (w) => `Calculate the total cost of ${2 + w.int(40)} items at $${1 + w.int(99)} each.`,
  (w) => `Name ${2 + w.int(4)} ${w.adj()} examples of a ${w.noun()}.`,
  (w) => `How does the ${w.noun()} ${w.verb()} the ${w.noun()}?`,
  (w) => `Write a poem about the ${w.noun()} in ${w.adj()} weather.`,
  (w) => `Provide a definition of a ${w.adj()} ${w.noun()}.`,
  () => `Identify the main idea of the following passage.`,
  (w) => `Propose a ${w.adj()} solution to the ${w.noun()} problem in a ${w.noun()}.`,
];

interface Words {
  noun(): string;
  adj(): string;
  verb(): string;
  name(): string;
  int(n: number): number;
}

function words(rand: () => number): Words {
  const pick = (xs: readonly string[]) => xs[Math.floor(rand() * xs.length)];
  return {
    noun: () => pick(NOUNS),
    adj: () => pick(ADJECTIVES),
    verb: () => pick(VERBS),
    name: () => pick(NAMES),
    int: (n) => Math.floor(rand() * n),
  };
}

function sentence(w: Words, rand: () => number): string {
  const r = rand();
  const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
  if (r < 0.25)
    return `The ${w.adj()} ${w.noun()} ${THIRD(w.verb())} the ${w.noun()} ${ADVERBS[w.int(ADVERBS.length)]}.`;
  if (r < 0.45)
    return `${LINKS[w.int(LINKS.length)]} a ${w.noun()} can ${w.verb()} a ${w.adj()} ${w.noun()} and ${w.verb()} its ${w.noun()}.`;
  if (r < 0.6)
    return `${cap(w.adj())} ${w.noun()}s ${w.verb()} ${w.adj()} ${w.noun()}s in ${2 + w.int(30)} different ways.`;
  if (r < 0.75)
    return `${w.name()} used a ${w.noun()} to ${w.verb()} the ${w.noun()}, which made the ${w.noun()} more ${w.adj()}.`;
  if (r < 0.88)
    return `This helps the ${w.noun()} ${w.verb()} the ${w.adj()} ${w.noun()} without a ${w.noun()}.`;
  return `About ${1 + w.int(95)} percent of ${w.adj()} ${w.noun()}s ${w.verb()} a ${w.noun()} every ${w.noun()}.`;
}

function paragraph(w: Words, rand: () => number, min: number, max: number): string {
  const n = min + Math.floor(rand() * (max - min + 1));
  return Array.from({ length: n }, () => sentence(w, rand)).join(' ');
}

function record(rand: () => number): { instruction: string; input: string; output: string } {
  const w = words(rand);
  const instruction = INSTRUCTIONS[Math.floor(rand() * INSTRUCTIONS.length)](w);
  const input = rand() < 0.4 ? paragraph(w, rand, 1, 3) : '';
  const junk = rand();
  let output: string;
  if (junk < 0.02) output = '';
  else if (junk < 0.04) output = ['Yes.', 'No.', 'OK.', 'Sure.'][w.int(4)];
  else if (junk < 0.06)
    output = Array(10 + w.int(30))
      .fill(`${w.adj()} ${w.noun()}`)
      .join(' ');
  else if (junk < 0.08)
    output = paragraph(w, rand, 1, 3)
      .replace(/[.!?]$/, '')
      .replace(/ \S+$/, ' and the');
  else output = paragraph(w, rand, 2, 7);
  return { instruction, input, output };
}

/** An earlier record changed a little: a word swapped, a sentence dropped, case or punctuation. */
function nearCopy(line: string, rand: () => number): string {
  const r = JSON.parse(line) as { instruction: string; input: string; output: string };
  const w = words(rand);
  const edit = rand();
  if (edit < 0.4) {
    const parts = r.output.split(' ');
    for (let k = 0; k < 1 + w.int(2) && parts.length > 3; k++) parts[w.int(parts.length)] = w.noun();
    r.output = parts.join(' ');
  } else if (edit < 0.6) {
    const sentences = r.output.split('. ');
    if (sentences.length > 4) sentences.splice(w.int(sentences.length), 1);
    r.output = sentences.join('. ');
  } else if (edit < 0.8) {
    r.instruction = r.instruction.replace(/[.?]$/, '').toLowerCase();
  } else {
    r.output = `${r.output} ${sentence(w, rand)}`;
  }
  return JSON.stringify(r);
}

const INVALID = [
  '{"instruction": "Name a color", "output": }',
  '{"instruction": "List three fruits", "input": ""}',
  '{"instruction": "Count to three", "output": 123}',
  '{"prompt": "unknown format", "completion": "x"}',
];

/** The lines, in order; each ends with a newline. */
export function* alpacaLines(records: number, seed = 1): Generator<string> {
  const rand = mulberry32(seed);
  const recent: string[] = []; // a window of earlier lines that duplicates copy from
  for (let i = 0; i < records; i++) {
    const r = rand();
    let line: string;
    if (r < 0.0005) line = INVALID[i % INVALID.length];
    else if (r < 0.0205 && recent.length) line = recent[Math.floor(rand() * recent.length)];
    else if (r < 0.0805 && recent.length) line = nearCopy(recent[Math.floor(rand() * recent.length)], rand);
    else line = JSON.stringify(record(rand));
    if (r >= 0.0005) {
      if (recent.length < 4096) recent.push(line);
      else recent[Math.floor(rand() * 4096)] = line;
    }
    yield `${line}\n`;
  }
}

/** Write `records` lines to `file`, buffered; returns the bytes written. */
export function writeAlpacaLike(file: string, records: number, seed = 1): number {
  const fd = openSync(file, 'w');
  let buf: string[] = [];
  let size = 0;
  let bytes = 0;
  const flush = () => {
    const chunk = Buffer.from(buf.join(''));
    writeSync(fd, chunk);
    bytes += chunk.byteLength;
    buf = [];
    size = 0;
  };
  for (const line of alpacaLines(records, seed)) {
    buf.push(line);
    size += line.length;
    if (size > 1 << 22) flush();
  }
  flush();
  closeSync(fd);
  return bytes;
}

if (import.meta.main) {
  const [n, out, seed] = process.argv.slice(2);
  if (!n || !out) {
    process.stderr.write('usage: node bench/gen-alpaca.ts <records> <out.jsonl> [seed]\n');
    process.exit(2);
  }
  const bytes = writeAlpacaLike(out, Number(n), seed ? Number(seed) : 1);
  process.stdout.write(`${out}: ${n} records, ${(bytes / 1e6).toFixed(1)} MB\n`);
}
