import { mulberry32 } from './random.ts';

export interface DemoOptions {
  records?: number;
  seed?: number;
}

const TOPICS = [
  'photosynthesis',
  'compound interest',
  'the water cycle',
  'binary search',
  'supply and demand',
  'plate tectonics',
  'vaccination',
  'recursion',
  'the French Revolution',
  'climate feedback loops',
  'public key cryptography',
  'the immune system',
  'inflation',
  'machine translation',
  'volcanoes',
];
const FACTS = [
  'It works by breaking a large problem into smaller parts that are easier to handle.',
  'Scientists describe it with a few simple rules that explain many observations.',
  'A common example is found in everyday life, which makes the idea easy to remember.',
  'Its effects build up over time, so small changes early on can matter a great deal later.',
  'Researchers still debate some details, but the core mechanism is well understood.',
  'It depends on energy being transferred from one form or place to another.',
  'Understanding it helps people make better decisions about health, money or technology.',
  'Historians and scientists often point to it as a turning point in how we think.',
];
const VERBS = ['Explain', 'Describe', 'Summarize', 'Give an overview of', 'Teach a beginner about'];

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

function goodRecord(rand: () => number, i: number): Record<string, unknown> {
  const kind = rand();
  if (kind < 0.45) {
    const topic = pick(rand, TOPICS);
    const n = 2 + Math.floor(rand() * 5);
    const sentences = Array.from({ length: n }, () => pick(rand, FACTS));
    return {
      instruction: `${pick(rand, VERBS)} ${topic}.`,
      input: '',
      output: `${topic[0].toUpperCase()}${topic.slice(1)} is a topic worth knowing. ${sentences.join(' ')}`,
    };
  }
  if (kind < 0.75) {
    const a = 2 + Math.floor(rand() * 90);
    const b = 2 + Math.floor(rand() * 90);
    const price = 1 + Math.floor(rand() * 20);
    return {
      instruction: 'Solve the word problem and show your reasoning.',
      input: `A shop sells ${a} notebooks on Monday and ${b} on Tuesday at $${price} each. How much money did it take in?`,
      output: `Over the two days it sold ${a} + ${b} = ${a + b} notebooks. At $${price} each that is ${a + b} × ${price} = $${(a + b) * price}. The shop took in $${(a + b) * price}.`,
    };
  }
  if (kind < 0.88) {
    const topic = pick(rand, TOPICS);
    return {
      conversations: [
        { from: 'human', value: `Can you give me three facts about ${topic}?` },
        {
          from: 'gpt',
          value: `Sure. 1) ${pick(rand, FACTS)} 2) ${pick(rand, FACTS)} 3) ${pick(rand, FACTS)}`,
        },
      ],
    };
  }
  const topic = pick(rand, TOPICS);
  return {
    messages: [
      { role: 'system', content: 'You are a concise tutor.' },
      { role: 'user', content: `In one paragraph, why does ${topic} matter? (${i})` },
      { role: 'assistant', content: `${pick(rand, FACTS)} ${pick(rand, FACTS)} ${pick(rand, FACTS)}` },
    ],
  };
}

function junkRecord(rand: () => number): Record<string, unknown> {
  const topic = pick(rand, TOPICS);
  const kind = rand();
  if (kind < 0.3) return { instruction: `Explain ${topic}.`, input: '', output: '' };
  if (kind < 0.55) return { instruction: `Explain ${topic}.`, input: '', output: 'Yes.' };
  if (kind < 0.8)
    return { instruction: `Explain ${topic}.`, input: '', output: Array(40).fill('very good').join(' ') };
  const letters = 'qwrtzpsdfghjklxcvbnm';
  const word = () =>
    Array.from({ length: 3 + Math.floor(rand() * 8) }, () => pick(rand, [...letters])).join('');
  return { instruction: `Describe ${topic}.`, input: '', output: Array.from({ length: 25 }, word).join(' ') };
}

const INVALID_LINES = [
  '{"instruction": "Name a color", "output": }',
  '{"instruction": "List three fruits", "input": ""}',
  '{"instruction": "Count to three", "output": 123}',
  '["not", "an", "object"]',
  '{"prompt": "unknown format", "completion": "x"}',
];

/**
 * A deterministic demo dataset in JSONL: mostly reasonable instruction data in three formats,
 * some junk (empty, terse, repetitive, gibberish answers), exact duplicates, and a few lines
 * that are not valid records, so every part of the output contract shows up.
 */
export function generateDemo({ records = 2000, seed = 7 }: DemoOptions = {}): string {
  const rand = mulberry32(seed);
  const lines: string[] = [];
  for (let i = 0; i < records; i++) {
    const r = rand();
    if (r < 0.005) lines.push(INVALID_LINES[i % INVALID_LINES.length]);
    else if (r < 0.06 && lines.length > 0) lines.push(lines[Math.floor(rand() * lines.length)]);
    else if (r < 0.2) lines.push(JSON.stringify(junkRecord(rand)));
    else lines.push(JSON.stringify(goodRecord(rand, i)));
  }
  return `${lines.join('\n')}\n`;
}
