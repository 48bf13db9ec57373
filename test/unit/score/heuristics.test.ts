import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HeuristicsConfigSchema, heuristicsScorer } from '../../../src/score/heuristics/index.ts';
import type { ScoreInput, ScoreRow } from '../../../src/score/types.ts';
import { plantedCases } from '../../fixtures/planted.ts';
import { dataFile } from '../../support/data.ts';

const rec = (user: string, answer: string, id = 'r'): ScoreInput => ({
  id,
  hash: 'h',
  turns: [
    { role: 'user', content: user },
    { role: 'assistant', content: answer },
  ],
});
const cfg = HeuristicsConfigSchema.parse({});
const score = (user: string, answer: string): ScoreRow =>
  (heuristicsScorer.score([rec(user, answer)], cfg, { seed: 0 }) as ScoreRow[])[0];
const loop = (s: string, n: number, sep = ' ') => Array.from({ length: n }, () => s).join(sep);

/** Expect exactly these flags (none: `[]`) and the junk bit. */
function expectRule(user: string, answer: string, flags: string[], junk: 0 | 1) {
  const row = score(user, answer);
  expect(row.flags ?? []).toEqual(flags);
  expect(row.scores.junk).toBe(junk);
  if (flags.length === 0) expect(row.scores.heuristics).toBe(1);
  else expect(row.scores.heuristics).toBeLessThan(1);
  if (junk) expect(row.scores.heuristics).toBeLessThan(0.5);
  return row;
}

describe('heuristics scorer', () => {
  it('is an offline scorer whose config parses from {} and is strict', () => {
    expect(heuristicsScorer).toMatchObject({ id: 'heuristics', version: 2, kind: 'offline' });
    expect(heuristicsScorer.outputs).toEqual(['heuristics', 'junk']);
    expect(cfg.dupLineFrac).toBe(0.3);
    expect(cfg.dupNgramFrac).toEqual([0.15, 0.14, 0.13, 0.12, 0.11, 0.1]);
    expect(() => HeuristicsConfigSchema.parse({ nope: 1 })).toThrow();
  });

  it('passes clean answers, including one-word ones', () => {
    expectRule('Classify the sentiment.\n\nThe food was great.', 'Positive', [], 0);
    expectRule('What is 2 + 2?', '4', [], 0);
    expectRule('Name a color.', 'Blue.', [], 0);
    expectRule(
      'Explain why the sky is blue.',
      'Air molecules scatter blue light more than red light, so the sky looks blue.',
      [],
      0,
    );
    expectRule('List three fruits.', '- Apple\n- Banana\n- Cherry', [], 0);
    expectRule(
      'Write a haiku about rain.',
      'Soft rain on the roof\nwhispers to the sleeping town\npuddles hold the sky',
      [],
      0,
    );
    expectRule('Write a short letter.', 'Dear Sam,\n\nThanks for the book.\n\nSincerely,', [], 0);
  });

  it('empty_answer: empty, whitespace and placeholders score 0', () => {
    expect(expectRule('Write a poem.', '', ['empty_answer'], 1).scores.heuristics).toBe(0);
    expectRule('Write a poem.', '  \n ', ['empty_answer'], 1);
    const row = expectRule('Design a logo.', '<nooutput>', ['empty_answer'], 1);
    expect(row.note).toBe('empty_answer!: placeholder "<nooutput>"');
    expectRule('Summarize it.', 'N/A', ['empty_answer'], 1);
    expectRule('Translate into emoji.', '💃🏻🌃', [], 0);
  });

  it('short_answer: soft, only when the instruction asks for a text', () => {
    const row = expectRule('Write an essay about climate change.', 'Climate matters.', ['short_answer'], 0);
    expect(row.scores.heuristics).toBeCloseTo(0.7, 10);
    expectRule('Describe the sky in one word.', 'Blue', [], 0);
    expectRule('Classify this poem as narrative or lyrical.', 'Lyrical', [], 0);
  });

  it('cut_off: hard on a connective, comma, dash, open bracket or quote; soft on unpunctuated prose', () => {
    expectRule(
      'Why is the sky blue?',
      'Molecules scatter short wavelengths more than long ones, and',
      ['cut_off'],
      1,
    );
    expectRule(
      'Tell me about Rome.',
      'Rome was founded, according to legend, by Romulus in the',
      ['cut_off'],
      1,
    );
    expectRule(
      'What is ML?',
      'Machine learning is a field of AI in which computers learn from data (for example',
      ['cut_off'],
      1,
    );
    expectRule('Name the steps.', 'Here are the steps to follow:', ['cut_off'], 1);
    expectRule('法国的首都是哪里？', '法国的首都是巴黎，以埃菲尔铁塔、卢浮宫和', ['cut_off'], 1);
    const soft = expectRule(
      'Explain vaccines.',
      'Vaccines train the immune system. They expose it to a harmless part of a pathogen so that it can respond quickly later',
      ['cut_off'],
      0,
    );
    expect(soft.note).toBe('cut_off: no final punctuation');
    expectRule('Sort these words alphabetically: to, chess, like', 'chess like to', [], 0);
    expectRule('Give a Python loop.', '```python\nfor i in range(3):\n    print(i)\n```', [], 0);
  });

  it('cut_off: a strong connective cuts lists and short answers; a 1–3 letter non-word cuts prose', () => {
    // List items and short answers ending on a connective.
    expectRule(
      'Give me three steps for pancakes.',
      '1. Whisk the eggs.\n2. Add milk.\n3. Mix the flour and',
      ['cut_off'],
      1,
    );
    expectRule('Name three characters.', '1. Napoleon: the leader.\n2. Boxer: The', ['cut_off'], 1);
    expectRule('Find the logarithm of 100.', 'The logarithm of', ['cut_off'], 1);
    expectRule('Fill in the blank: I love ___ swim.', 'I love to', ['cut_off'], 1);
    // A word cut in the middle.
    const mid = expectRule(
      'Why is the sky blue?',
      'Sunlight is scattered by the air, so the sky looks bl',
      ['cut_off'],
      1,
    );
    expect(mid.note).toBe("cut_off!: ends mid-word ('bl')");
    // A list item ending on a preposition that can end a sentence: soft only (not removed).
    expectRule(
      'List 2 goals.',
      '1. Growth\n2. Measurable goals for the company to strive for',
      ['cut_off'],
      0,
    );
    // Finished answers that end on a word, a formula, a comma list or a unit stay clean.
    expectRule('Write an equation for twice y.', 'x = 2 * y', [], 0);
    expectRule('Categorize these as fish or insects.', 'Insects - ant, bee\nFish - salmon, pike, cod', [], 0);
    expectRule('Is this review positive or negative?', 'Positive', [], 0);
    expectRule('Convert 40 kg to pounds.', 'The weight in pounds is 88.18 lbs', [], 0);
  });

  it('code_fence: an odd number of ``` lines', () => {
    expectRule('Write a function.', '```python\ndef f():\n    return 1\n', ['code_fence'], 1);
    expectRule('Write a function.', '```python\ndef f():\n    return 1\n```', [], 0);
  });

  it('dup_lines: hard on mostly repeated lines, soft at Gopher thresholds', () => {
    const row = expectRule(
      'Thank the customer.',
      loop('Thank you so much for your order!', 6, '\n'),
      ['dup_lines', 'dup_ngrams'],
      1,
    );
    expect(row.note).toBe(
      'dup_lines!: dup lines 0.83, chars 0.81 > 0.5; dup_ngrams!: dup 10-grams 0.68 vs 0.1 (×3.5)',
    );
    expectRule('List four animals.', 'Cat\nDog\nHorse\nCow', [], 0);
    const verse = `${loop('Sing it loud and sing it proud tonight', 1)}\nThe road is long and the night is cold\nWe walk together brave and bold\n${loop('Sing it loud and sing it proud tonight', 1)}\nThe stars are out above the sea`;
    expectRule('Write a chorus.', verse, ['dup_lines'], 0);
  });

  it('dup_ngrams: hard on degenerate loops, soft at Gopher thresholds on long answers', () => {
    expectRule('Write a motivational quote.', loop('Never give up on your dreams.', 10), ['dup_ngrams'], 1);
    const text =
      'The forest was quiet in the early morning. Tall pines stood in rows along the ridge, and the air smelled of resin and wet earth. ' +
      loop('The trees are tall and the trees are green.', 4) +
      ' A deer crossed the path and vanished into the ferns while a woodpecker drummed far away.';
    const row = expectRule('Describe a forest.', text, ['dup_ngrams'], 0);
    expect(row.note).toMatch(/^dup_ngrams: dup \d+-grams 0\.\d\d vs 0\.1\d?$/);
    expectRule(
      'Classify: apple, IBM, pear, Dell',
      'food, company, food, company, food, company, food, company, food, company',
      [],
      0,
    );
  });

  it('low_alpha: Gopher alphabetic ratio with digits counted and table punctuation ignored', () => {
    expectRule('Give a metaphor.', '$$$ @@@ %%% ^^^ &&& !!! ~~~ $$$', ['low_alpha'], 1);
    expectRule('Give a metaphor.', 'Time is a thief: $$$ @@@ %%% and more', ['low_alpha'], 0);
    expectRule('Compute 3 factorial.', '1 × 2 × 3 = 6', [], 0);
    expectRule('Make a table.', '| Year | Cars |\n| --- | --- |\n| 2019 | 11 |\n| 2020 | 8 |', [], 0);
  });

  it('gibberish: keyboard mash, broken characters (hard); very long words (soft)', () => {
    expectRule('Describe the water cycle.', 'asdkjh qwpzx zxcvbn lkjhgf mnbvcx poiuyt', ['gibberish'], 1);
    expectRule('Name the ocean.', 'The \ufffd\ufffd\ufffd ocean is large.', ['gibberish'], 1);
    expectRule('Translate it.', 'Buenos d\u00c3\u00adas, se\u00c3\u00b1or.', ['gibberish'], 1);
    expectRule('Name a long word.', `The word is ${'x'.repeat(60)}.`, ['gibberish'], 0);
    expectRule('Write HTML.', '<html>\n<head>\n<title>Hi</title>\n</head>\n</html>', [], 0);
    expectRule('Name a strong wind.', 'A strong rhythm of gusts, the mistral.', [], 0);
  });

  it('echo: hard when the answer repeats the instruction, soft when it copies the whole prompt', () => {
    expectRule('What are the benefits of green tea?', 'What are the benefits of green tea?', ['echo'], 1);
    expectRule('Write a catchy recycling slogan.', 'write a catchy recycling slogan', ['echo'], 1);
    const context =
      'Rome is the capital of Italy and was founded, according to legend, in 753 BC by Romulus. It was the centre of the Roman Empire.';
    expectRule(`Tell me about Rome.\n\n${context}`, context, ['echo'], 0);
    expectRule('What is the capital of France?', 'The capital of France is Paris.', [], 0);
  });

  it('refusal: apologies and inabilities at a sentence start, not idioms or dialogue', () => {
    expectRule('Write a story.', "I'm sorry, but I cannot fulfill that request.", ['refusal'], 1);
    expectRule('Play music.', 'Unfortunately, I am not able to play audio.', ['refusal'], 1);
    expectRule('Set a reminder.', 'I cannot set up a reminder for you.', ['refusal'], 1);
    expectRule(
      'Compose a melody.',
      'Sorry, the task requires audio output which cannot be produced.',
      ['refusal'],
      1,
    );
    expectRule('写一首诗', '抱歉，我无法完成这个请求。', ['refusal'], 1);
    expectRule('Use "deny" in a sentence.', "I can't deny that the view was beautiful.", [], 0);
    expectRule(
      'Write a dialogue.',
      'Clerk: "I\'m sorry, we are closing soon."\nCustomer: "I can\'t believe it is so late!"',
      [],
      0,
    );
  });

  it('boilerplate: C4 web boilerplate is hard, chat filler soft', () => {
    expectRule(
      'Write a bakery intro.',
      'Lorem ipsum dolor sit amet, consectetur adipiscing elit.',
      ['boilerplate'],
      1,
    );
    expectRule(
      'Summarize the news.',
      'This website uses cookies to improve your experience.',
      ['boilerplate'],
      1,
    );
    const row = expectRule(
      'Give me a fun fact.',
      'Sure! Here is a fun fact: octopuses have three hearts.',
      ['boilerplate'],
      0,
    );
    expect(row.scores.heuristics).toBeCloseTo(0.9, 10);
    expectRule('What is JavaScript?', 'JavaScript is a programming language for the web.', [], 0);
  });

  it('line_punct and short_lines: FineWeb line rules on long prose answers only', () => {
    const menu = loop(
      'Home page of the company website with news\nAbout us and our long history of quality service',
      5,
      '\n',
    );
    const row = score('Describe the company.', menu);
    expect(row.flags).toEqual(['dup_lines', 'dup_ngrams', 'line_punct']);
    const shop =
      'Welcome to our shop.\nOpen every day.\nFree delivery.\nCall us today.\nGift cards available.\nNew items weekly.\n' +
      'We have been serving the town since 1980 with fresh bread, handmade pastries, seasonal cakes and strong coffee roasted by a small family business down the road.\n' +
      'Our friendly staff will help you choose a treat for birthdays, weddings, office parties or a quiet afternoon at home with a good book.';
    expect(score('Describe the company.', shop).flags).toEqual(['short_lines']);
    expect(score('Write a poem about the sea.', menu).flags).toEqual(['dup_lines', 'dup_ngrams']);
  });
});

describe('heuristics on planted and real data', () => {
  it('marks ≥ 95 % of planted junk and cut-offs junk and flags them; clean and topical ones pass', () => {
    const cases = plantedCases();
    const rows = heuristicsScorer.score(
      cases.map((c, i) => ({ id: String(i), hash: 'h', turns: c.turns })),
      cfg,
      { seed: 0 },
    ) as ScoreRow[];
    const bad = cases.flatMap((c, i) => (c.label === 'junk' || c.label === 'cutoff' ? [rows[i]] : []));
    expect(bad.length).toBeGreaterThanOrEqual(60);
    expect(bad.filter((r) => r.scores.junk === 1).length / bad.length).toBeGreaterThanOrEqual(0.95);
    expect(bad.filter((r) => (r.flags ?? []).length > 0).length / bad.length).toBeGreaterThanOrEqual(0.95);
    const clean = cases.flatMap((c, i) => (c.label === 'clean' || c.label === 'topical' ? [rows[i]] : []));
    expect(clean.filter((r) => r.scores.junk === 1)).toEqual([]);
  });

  // Measured junk rates: 0.28 % (26 of 9,229) on Alpaca, 0.07 % (2 of 2,996) on Dolly.
  it.each([
    ['alpaca-random-9k.json', 0.006],
    ['dolly-3k.json', 0.004],
  ])('keeps nearly all of %s (junk rate under %f)', (file, bound) => {
    const data = JSON.parse(readFileSync(dataFile(file), 'utf8')) as {
      instruction: string;
      input?: string;
      output: string;
    }[];
    const records = data.map((r, i) =>
      rec(r.instruction + (r.input ? `\n\n${r.input}` : ''), r.output, String(i)),
    );
    const rows = heuristicsScorer.score(records, cfg, { seed: 0 }) as ScoreRow[];
    const junk = rows.filter((r) => r.scores.junk === 1).length;
    expect(junk / rows.length).toBeLessThan(bound);
    expect(rows.every((r) => r.scores.heuristics >= 0 && r.scores.heuristics <= 1)).toBe(true);
  });
});
