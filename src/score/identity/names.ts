/**
 * Known assistant identities: model and product names and their makers, grouped under one key per
 * maker (the `<who>` of the `identity_claim:<who>` flag). `ambiguous` names are also ordinary words or
 * first names (a llama, the mistral wind, Kimi Räikkönen, Claude Shannon): a claim to one of them needs
 * a capitalized name, no following surname, and AI vocabulary in the same sentence.
 */
export interface KnownIdentity {
  who: string;
  /** Regex source, matched case-insensitively as a whole word (Latin) or substring (Han). */
  names: string;
  ambiguous?: string;
  /** Names that are also first names only: a claim needs no surname after it, but no AI vocabulary. */
  firstName?: string;
  /**
   * Makers that are also ordinary employers or schools ("I was trained by Google engineers in cloud
   * sales"): a claim naming one needs an AI noun or a model name near it.
   */
  company?: string;
}

export const KNOWN: readonly KnownIdentity[] = [
  {
    who: 'openai',
    names: String.raw`chat ?gpt(?:[- ]?(?:4o?|3\.5|plus))?|gpt[- ]?(?:3\.5|4(?:\.\d)?o?|3|2|4o|5)(?:[- ]turbo)?|instructgpt|text-davinci(?:-00\d)?|open ?ai`,
  },
  {
    who: 'anthropic',
    names: String.raw`claude(?:[- ]?\d(?:\.\d)?)?(?: (?:instant|opus|sonnet|haiku))?|anthropic`,
    firstName: 'claude',
  },
  {
    who: 'google',
    company: 'google|deepmind|谷歌',
    names:
      '谷歌|bard|gemini(?: (?:pro|ultra|nano|flash|advanced))?|palm(?: ?2)?|lamda|gemma|google(?: (?:ai|deepmind|brain|research|cloud))?|deepmind',
    ambiguous: 'bard|gemini|palm',
  },
  {
    who: 'meta',
    company: 'meta|facebook',
    names: String.raw`llama(?: ?\d(?:\.\d)?)?|meta(?: ai)?|facebook(?: ai)?`,
    ambiguous: 'llama|meta',
  },
  { who: 'lmsys', names: 'vicuna|lmsys', ambiguous: 'vicuna' },
  {
    who: 'stanford',
    company: 'stanford|斯坦福',
    names: '斯坦福(?:大学)?|alpaca|stanford(?: university)?',
    ambiguous: 'alpaca',
  },
  {
    who: 'alibaba',
    company: 'alibaba|阿里',
    names: String.raw`qwen(?:[- ]?\d(?:\.\d)?)?|tongyi(?: qianwen)?|alibaba(?: cloud| group)?|通义千问|通义|阿里巴巴|阿里云|阿里`,
  },
  {
    who: 'baidu',
    company: 'baidu|百度',
    names: 'ernie(?: bot)?|wenxin(?: yiyan)?|baidu|文心一言|文心|百度',
    ambiguous: 'ernie',
  },
  { who: 'zhipu', names: String.raw`chatglm\d?|glm-?\d|zhipu(?: ai)?|智谱(?:ai|清言)?|智谱` },
  { who: 'mistral', names: 'mistral(?: ai)?|mixtral', ambiguous: 'mistral' },
  {
    who: 'microsoft',
    company: 'microsoft|微软',
    names: '微软|copilot|bing(?: chat)?|microsoft|cortana',
    ambiguous: 'copilot|bing',
  },
  {
    who: 'fudan',
    company: 'fudan|复旦',
    names: 'moss|fudan(?: university)?|复旦大学|复旦',
    ambiguous: 'moss',
  },
  { who: 'baichuan', names: 'baichuan|百川智能|百川' },
  {
    who: 'iflytek',
    company: 'iflytek|科大讯飞|讯飞(?!星火)',
    names: 'spark ?desk|iflytek|讯飞星火|科大讯飞|讯飞|星火',
    ambiguous: 'spark',
  },
  { who: 'moonshot', names: 'kimi|moonshot(?: ai)?|月之暗面', ambiguous: 'kimi|moonshot' },
  { who: 'deepseek', names: String.raw`deepseek(?:[- ]?(?:v\d(?:\.\d)?|r\d|coder|chat))?|深度求索` },
  { who: 'xai', names: String.raw`grok(?:[- ]?\d)?|x\.?ai`, ambiguous: 'grok' },
  { who: 'tencent', company: '腾讯(?!混元)', names: 'hunyuan|腾讯混元|混元|腾讯' },
  { who: 'bytedance', company: 'bytedance|字节跳动', names: 'doubao|bytedance|豆包|字节跳动' },
  { who: '01ai', names: '零一万物|01\\.ai' },
  { who: 'shailab', names: 'internlm|书生·?浦语|上海人工智能实验室' },
  { who: 'apple', names: 'siri', ambiguous: 'siri' },
  { who: 'amazon', names: 'alexa', ambiguous: 'alexa' },
];

/** One alternation of every known name. */
export const KNOWN_SOURCE = KNOWN.map((k) => k.names).join('|');

/** Top-level alternatives of a regex source (not those inside groups). */
function alternatives(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(source.slice(from, i));
      from = i + 1;
    }
  }
  out.push(source.slice(from));
  return out;
}
const HAN = /[\u4e00-\u9fff]/;
/** The Latin-script names (matched at a word start) and the Han ones, for cheap gates. */
export const LATIN_NAMES = alternatives(KNOWN_SOURCE)
  .filter((a) => !HAN.test(a))
  .join('|');
export const HAN_NAMES = alternatives(KNOWN_SOURCE)
  .filter((a) => HAN.test(a))
  .join('|');

const WHO = KNOWN.map((k) => ({ k, re: new RegExp(`^(?:${k.names})$`, 'i') }));
const AMBIGUOUS = KNOWN.filter((k) => k.ambiguous).map((k) => new RegExp(`^(?:${k.ambiguous})\\b`, 'i'));
const FIRST_NAMES = KNOWN.filter((k) => k.firstName).map((k) => new RegExp(`^(?:${k.firstName})\\b`, 'i'));

/** The maker key of a matched name, or null when it is not a known identity. */
export function whoOf(name: string): KnownIdentity | null {
  for (const { k, re } of WHO) if (re.test(name)) return k;
  return null;
}

const COMPANIES = KNOWN.filter((k) => k.company).map((k) => new RegExp(`^(?:${k.company})`, 'i'));
export function isCompany(name: string): boolean {
  return COMPANIES.some((re) => re.test(name));
}
/** AI nouns and model names: what makes "trained by Google" a model's claim rather than a person's. */
export const AI_NOUNS =
  /\b(?:ai|a\.i\.|artificial intelligence|models?|llm|assistant|chatbot|bot|language model|neural network|chat ?gpt|gpt[- ]?\d|claude|bard|gemini|palm|llama|vicuna|alpaca|qwen|ernie|chatglm|copilot|bing|moss|baichuan|kimi|deepseek|grok)\b|人工智能|模型|助手|机器人|智能|通义|文心|星火|混元|豆包|书生/i;

/** 'context' when the name is also a common word; 'name' when it is also a first name; null otherwise. */
export function ambiguity(name: string): 'context' | 'name' | null {
  if (AMBIGUOUS.some((re) => re.test(name))) return 'context';
  return FIRST_NAMES.some((re) => re.test(name)) ? 'name' : null;
}
