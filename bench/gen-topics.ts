/**
 * A seeded generator of labelled topic sets for the embedding bench (bench/embed-topics.ts):
 * Alpaca-shaped JSONL (`instruction`, `input`, `output`) whose records each belong to one of K
 * topics, and the topic labels, one integer per line in record order, in `<out>.labels`.
 *
 *   npx node bench/gen-topics.ts <records> <out.jsonl> [--lang en|zh] [--topics K] [--seed S]
 *
 * Made to be hard for an embedding that counts words without weighting them:
 *
 * - each topic has its own vocabulary (nouns, verbs, named things, adjectives: bench/topics-vocab.ts),
 *   and a few words belong to two topics;
 * - every topic shares the same instruction and answer templates, function words and generic words
 *   (method, example, people …), so template words dominate raw counts; 15% of noun slots and 25%
 *   of verb slots take a generic word, and fillers have no topic word at all; templates vary their
 *   wording (`[a|b|c]`), as self-instruct data does;
 * - topic sizes are Zipf-like, the largest 8× the smallest (exponent ln 8 / ln K), and which topic
 *   gets which size depends on the seed;
 * - lengths vary: 1 to 14 answer sentences (geometric, mean about 3.5; after the first, 10% are
 *   fillers with no topic word), an input on 40% of records;
 * - 4% of records mix two topics: 40% of their topic words come from a second topic (the label is
 *   the first).
 *
 * `--lang zh` writes Chinese with no spaces, from its own vocabularies and templates. The same
 * (records, lang, topics, seed) always gives the same bytes. No external data.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../src/demo/random.ts';
import { EN_GENERIC_NOUNS, EN_TOPICS, type TopicVocab, ZH_GENERIC_NOUNS, ZH_TOPICS } from './topics-vocab.ts';

/** Chance that a noun slot takes a topic noun, a verb slot a topic verb (else a generic word). */
const TOPIC_NOUN = 0.85;
const TOPIC_VERB = 0.75;
/** Chance that an answer sentence gets an opener ("In most cases, …"), and that a sentence after the first is a filler. */
const OPENER = 0.2;
const FILLER = 0.1;
export interface TopicsOptions {
  lang?: 'en' | 'zh';
  topics?: number;
  seed?: number;
}

interface Language {
  topics: readonly TopicVocab[];
  genericNouns: string[];
  genericVerbs: string[];
  genericAdjectives: string[];
  /** Instructions without an input. */
  asks: string[];
  /** Instructions that come with an input, and how the input is made. */
  asksWithInput: [string, 'passage' | 'list'][];
  /** Answer sentences; `{N}` topic-or-generic noun, `{V}` verb, `{X}` named thing, `{A}` adjective, `{G}` generic noun. */
  sentences: string[];
  /** Sentences with no topic word. */
  fillers: string[];
  /** Put before some answer sentences. */
  openers: string[];
  /** English: the sentence after an opener starts in lower case (unless it starts with a name). */
  lowerFirst: boolean;
  listSeparator: string;
  sentenceJoin: string;
  finish: (s: string) => string;
}

const EN: Language = {
  topics: EN_TOPICS,
  genericNouns: EN_GENERIC_NOUNS,
  genericVerbs: 'use|improve|check|prepare|handle|choose|understand|avoid|learn about|work with'.split('|'),
  genericAdjectives: 'good|common|simple|important|small|large|new|useful|basic|typical'.split('|'),
  asks: [
    'Explain how to {V} the {N}.',
    'What is the difference between a {N} and a {N}?',
    'Write a short paragraph about the {N} in {X}.',
    'Give me three tips to {V} a {A} {N}.',
    'Describe the role of the {N} in {X}.',
    'Why is the {N} important when you {V} the {N}?',
    'List some common mistakes people make with the {N}.',
    'How does {X} {V} the {N}?',
    'Can you tell me more about {X}?',
    'What should I know before I {V} my first {N}?',
    'Is it better to {V} the {N} or the {N}?',
    'Write a short story in which someone tries to {V} a {N}.',
    'What are the main benefits of a {A} {N}?',
    'Create a step-by-step guide to {V} the {N}.',
  ],
  asksWithInput: [
    ['Summarize the following text about {X}.', 'passage'],
    ['Answer the question using the passage below.', 'passage'],
    ['Rewrite the following paragraph so that it is easier to read.', 'passage'],
    ['Classify each of the following items.', 'list'],
    ['Sort the following words into two groups.', 'list'],
    ['Find the mistake in the following text and correct it.', 'passage'],
  ],
  sentences: [
    'The {N} is [one of the most important|a key|an essential|a central] part[s|] of [the|any|every] {G}, and it [can|will|may] {V} the {N}[ when it is used in the right way| if you let it|].',
    'In {X}, [people|most people|many of us|experts] [often|usually|always|tend to] {V} the {N} [before|after|while] they {V} the {N}.',
    '[It is a good idea|It helps|It is wise|You may want] to {V} the {A} {N} first, [because|since|as] this makes the {G} [much|a lot|far] easier.',
    'There are [many|several|a few|countless] ways to {V} a {N}, but the [most common|simplest|easiest|usual] one is to {V} it with a {N}.',
    '[Many|Some|A lot of] people [think|believe|say|assume] that the {N} is not very {A}, but [this is not always the case|that is not quite true|it depends].',
    '[First|To begin], [you should|you need to|make sure to] {V} the {N}. [Then|Next|After that], {V} the {N} and [check|look at|test] the {G}.',
    '[For example|For instance|Take], {X} [is known for|is famous for|has] [its|a] {A} {N}.',
    '[This is because|The reason is that|That is why] the {N} and the {N} [work together to|both help to|combine to] {V} the {G}.',
    'You can also {V} the {N} [if|when|once] you have a {N}.',
    '[In general|Overall|Usually], the {G} depends on the {N}, the {N} and the {N}.',
    'A {A} {N} will [usually|often|normally] {V} [faster|better|more easily] than a {N}.',
    '[Make sure|Check] that the {N} is {A} before you {V} it.',
    '[Most experts|Many professionals|Experienced people] agree that you should [never|not] {V} a {N} without a {N}.',
    'The {A} {N} was [first|originally|famously] [described|used|studied] by {X}.',
    '[When|While|As] you {V} the {N}, [keep an eye on|watch|pay attention to] the {N}.',
    'The [main|biggest|key] difference is that a {N} can {V}, [while|whereas|but] a {N} cannot.',
    '[Some|Many|Most] people prefer to {V} the {N} [by hand|on their own|slowly|every week].',
    'Without a {N}, it is [hard|difficult|almost impossible] to {V} [anything|the {N}|well].',
    'You will need a {N}, a {N} and [some patience|a little time|a {N}].',
    '[Try not to|Never|Do not] {V} the {N} too [often|quickly|early].',
    '{X} [showed|proved|found] that a {A} {N} can {V} the {G}.',
    'The {N} and the {N} are [closely related|often confused|used together].',
    '[Another option|An alternative|A second approach] is to {V} the {N} with {X}.',
    '[Beginners|New learners|Many people] often forget to {V} the {N}.',
  ],
  openers: [
    'In most cases, ',
    'As a rule, ',
    'Usually, ',
    'In my experience, ',
    'Generally speaking, ',
    'To be honest, ',
    'On the other hand, ',
    'In short, ',
    'Above all, ',
    'At the same time, ',
  ],
  fillers: [
    'I hope this helps!',
    'Let me know if you have any other questions.',
    'Overall, it is important to keep this in mind.',
    'This is a common question, and the answer depends on the situation.',
    'Of course, every case is a little different.',
    'It takes some time and practice, but it is worth it in the end.',
    'Here is a simple way to think about it.',
  ],
  lowerFirst: true,
  listSeparator: ', ',
  sentenceJoin: ' ',
  finish: (s) => {
    const t = s.replace(/\b([Aa]) ([aeiouAEIOU])/g, '$1n $2');
    return t.charAt(0).toUpperCase() + t.slice(1);
  },
};

const ZH: Language = {
  topics: ZH_TOPICS,
  genericNouns: ZH_GENERIC_NOUNS,
  genericVerbs: '使用|改进|检查|准备|处理|选择|理解|避免|学习|了解'.split('|'),
  genericAdjectives: '重要|常见|简单|有用|新|基本|典型|普通'.split('|'),
  asks: [
    '请解释如何{V}{N}。',
    '{N}和{N}有什么区别？',
    '写一段关于{X}中{N}的短文。',
    '给我三个{V}{A}的{N}的建议。',
    '描述{N}在{X}中的作用。',
    '为什么在{V}{N}的时候{N}很重要？',
    '列出人们在{N}方面常犯的错误。',
    '{X}是如何{V}{N}的？',
    '能告诉我更多关于{X}的信息吗？',
    '第一次{V}{N}之前我应该知道什么？',
    '{V}{N}和{V}{N}哪个更好？',
    '写一个关于有人尝试{V}{N}的小故事。',
    '{A}的{N}有哪些主要好处？',
    '请一步一步地说明怎样{V}{N}。',
  ],
  asksWithInput: [
    ['总结下面这段关于{X}的文字。', 'passage'],
    ['根据下面的段落回答问题。', 'passage'],
    ['改写下面这段话，让它更容易阅读。', 'passage'],
    ['请对下列各项进行分类。', 'list'],
    ['把下面的词语分成两组。', 'list'],
    ['找出下面文字中的错误并改正。', 'passage'],
  ],
  sentences: [
    '{N}是{G}中最重要的部分之一，如果使用得当，它可以{V}{N}。',
    '在{X}，人们通常会先{V}{N}，然后再{V}{N}。',
    '最好先{V}{A}的{N}，因为这样会让{G}容易得多。',
    '{V}{N}的方法有很多，但最常见的是用{N}来{V}。',
    '很多人认为{N}并不{A}，但情况并非总是如此。',
    '首先，你应该{V}{N}。然后，{V}{N}并检查{G}。',
    '例如，{X}以{A}的{N}而闻名。',
    '这是因为{N}和{N}共同作用来{V}{G}。',
    '如果你有{N}，也可以{V}{N}。',
    '总的来说，{G}取决于{N}、{N}和{N}。',
    '{A}的{N}通常比{N}更快地{V}。',
    '在{V}之前，一定要确保{N}是{A}的。',
    '原因之一是{X}改变了人们{V}{N}的方式。',
    '如果{N}不能{V}，请再试着{V}{N}。',
    '大多数专家都认为，没有{N}就不应该{V}{N}。',
    '{A}的{N}最早是由{X}提出的。',
    '当你{V}{N}的时候，要注意{N}。',
    '{N}比{N}需要更多的照顾，尤其是在刚开始的时候。',
    '主要的区别在于{N}可以{V}，而{N}不能。',
    '有些人更喜欢亲手{V}{N}。',
    '{V}{N}的最佳时间是一天的早些时候。',
    '没有{N}，就很难{V}任何东西。',
    '你需要一个{N}、一个{N}和一些耐心。',
    '尽量不要太频繁地{V}{N}。',
    '{X}表明{A}的{N}可以{V}{G}。',
    '{N}和{N}关系密切。',
    '另一个选择是借助{X}来{V}{N}。',
    '初学者常常忘记{V}{N}。',
    '{N}应该是{A}的，而且容易{V}。',
    '没有人确切知道{N}为什么容易{V}，但{X}有一个理论。',
  ],
  openers: [
    '在大多数情况下，',
    '一般来说，',
    '通常，',
    '根据我的经验，',
    '说实话，',
    '另一方面，',
    '简而言之，',
    '最重要的是，',
    '与此同时，',
    '总体而言，',
  ],
  fillers: [
    '希望这对你有帮助！',
    '如果你还有其他问题，请告诉我。',
    '总之，记住这一点很重要。',
    '这是一个常见的问题，答案取决于具体情况。',
    '当然，每种情况都有一些不同。',
    '这需要一些时间和练习，但最终是值得的。',
    '这里有一个简单的思考方式。',
  ],
  lowerFirst: false,
  listSeparator: '、',
  sentenceJoin: '',
  finish: (s) => s,
};

/** Records per topic: Zipf-like with the largest about 8× the smallest, each at least 1, summing to `records`. */
export function topicSizes(records: number, k: number): number[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`topics must be an integer ≥ 1, got ${k}`);
  if (!Number.isInteger(records) || records < k)
    throw new RangeError(`records must be an integer ≥ topics (${k}), got ${records}`);
  const s = k > 1 ? Math.log(8) / Math.log(k) : 0;
  const w = Array.from({ length: k }, (_, r) => (r + 1) ** -s);
  const total = w.reduce((a, b) => a + b, 0);
  const exact = w.map((x) => (x / total) * (records - k));
  const sizes = exact.map((x) => 1 + Math.floor(x));
  const order = exact.map((x, i) => [x - Math.floor(x), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let left = records - sizes.reduce((a, b) => a + b, 0), j = 0; left > 0; left--, j++)
    sizes[order[j % k][1]]++;
  return sizes;
}

function shuffle<T>(a: T[], rng: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Writes `records` records to `file` and their labels to `<file>.labels`; returns the labels and each topic's name and size. */
export function writeTopics(
  file: string,
  records: number,
  { lang = 'en', topics = 8, seed = 1 }: TopicsOptions = {},
): { labels: Int32Array; topics: { name: string; size: number }[] } {
  const L = lang === 'zh' ? ZH : EN;
  if (topics > L.topics.length)
    throw new RangeError(`topics must be at most ${L.topics.length} for --lang ${lang}, got ${topics}`);
  const rng = mulberry32(seed * 0x9e3779b1 + (lang === 'zh' ? 17 : 0));
  const pick = <T>(a: readonly T[]) => a[Math.floor(rng() * a.length)];
  // Words within a topic are not equally common: earlier ones in each list are drawn more often.
  const pickSkewed = <T>(a: readonly T[]) => a[Math.floor(rng() ** 1.5 * a.length)];
  const vocab = shuffle([...L.topics], rng).slice(0, topics);
  const sizes = shuffle(topicSizes(records, topics), rng);
  const labels = new Int32Array(records);
  let at = 0;
  sizes.forEach((n, t) => {
    labels.fill(t, at, at + n);
    at += n;
  });
  shuffle(labels as unknown as number[], rng);

  const fd = openSync(file, 'w');
  let buf = '';
  for (let i = 0; i < records; i++) {
    const own = vocab[labels[i]];
    const other = rng() < 0.04 ? vocab[(labels[i] + 1 + Math.floor(rng() * (topics - 1))) % topics] : null;
    const t = () => (other && rng() < 0.4 ? other : own);
    const fill = (template: string) =>
      L.finish(
        template
          .replace(/\[([^\]]*)\]/g, (_, alternatives: string) => pick(alternatives.split('|')))
          .replace(/\{([NVXAG])\}/g, (_, slot: string) => {
            switch (slot) {
              case 'N':
                return rng() < TOPIC_NOUN ? pickSkewed(t().nouns) : pick(L.genericNouns);
              case 'V':
                return rng() < TOPIC_VERB ? pickSkewed(t().verbs) : pick(L.genericVerbs);
              case 'X':
                return pickSkewed(t().named);
              case 'A':
                return rng() < 0.5 ? pick(t().adjectives) : pick(L.genericAdjectives);
              default:
                return pick(L.genericNouns);
            }
          }),
      );
    const withOpener = (sentence: string) => {
      if (rng() >= OPENER) return sentence;
      const lower =
        L.lowerFirst &&
        /^(The|A|An|It|If|In|When|You|Some|Most|Without|Try|Beginners|Nobody|Another|One|First|This|For|Many|There|Make) /.test(
          sentence,
        );
      return pick(L.openers) + (lower ? sentence.charAt(0).toLowerCase() + sentence.slice(1) : sentence);
    };
    // The first sentence is on topic; later ones are fillers 20% of the time.
    const sentences = (n: number) =>
      Array.from({ length: n }, (_, j) =>
        j > 0 && rng() < FILLER ? pick(L.fillers) : withOpener(fill(pick(L.sentences))),
      ).join(L.sentenceJoin);
    let instruction: string;
    let input = '';
    if (rng() < 0.4) {
      const [ask, kind] = pick(L.asksWithInput);
      instruction = fill(ask);
      input =
        kind === 'passage'
          ? sentences(1 + Math.floor(rng() * 3))
          : [
              ...new Set(
                Array.from({ length: 3 + Math.floor(rng() * 5) }, () =>
                  rng() < 0.75 ? pickSkewed(t().nouns) : pick(L.genericNouns),
                ),
              ),
            ].join(L.listSeparator);
    } else instruction = fill(pick(L.asks));
    const outputSentences = Math.min(14, 1 + Math.floor(Math.log(1 - rng()) / Math.log(0.72)));
    buf += `${JSON.stringify({ instruction, input, output: sentences(outputSentences) })}\n`;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
  writeFileSync(`${file}.labels`, `${labels.join('\n')}\n`);
  return { labels, topics: vocab.map((v, t) => ({ name: v.name, size: sizes[t] })) };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      lang: { type: 'string', default: 'en' },
      topics: { type: 'string', default: '8' },
      seed: { type: 'string', default: '1' },
    },
  });
  const [n, out] = positionals;
  if (!n || !out || (values.lang !== 'en' && values.lang !== 'zh')) {
    process.stderr.write(
      'usage: node bench/gen-topics.ts <records> <out.jsonl> [--lang en|zh] [--topics K] [--seed S]\n',
    );
    process.exit(2);
  }
  const { topics } = writeTopics(out, Number(n), {
    lang: values.lang,
    topics: Number(values.topics),
    seed: Number(values.seed),
  });
  process.stderr.write(
    `wrote ${n} records to ${out} and their labels to ${out}.labels; topics: ${topics.map((t, i) => `${i} ${t.name} ${t.size}`).join(', ')}\n`,
  );
}
