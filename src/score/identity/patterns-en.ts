import { type ClaimPattern, END, ID } from './claims.ts';

/**
 * English self-claims. Every pattern needs the first person bound to the identity by a copula, a
 * creation verb or "as …, I": "I am ChatGPT", "I was trained by Google", "As an AI developed by OpenAI,
 * I …", "OpenAI trained me", "my creators at Anthropic". A name next to "I" in any other way ("I use
 * ChatGPT", "I'm a fan of Claude Monet") and third-person facts ("GPT-3 is a model from OpenAI") do not match.
 */
const SELF =
  "(?:i am|i'm|i’m|this is|my name is|my name's|my name’s|you can call me|call me|i go by|i am called|i'm called|i am known as|i'm known as)";
const KIND = String.raw`(?:(?:an?|the)\s+(?:[\w-]+\s+){0,3}?(?:model|assistant|chatbot|bot|system|ai|program|companion|llm)\s+(?:called|named|known as)\s+)`;
const INSTANCE = String.raw`(?:(?:an?\s+)?(?:instance|version|variant|iteration)\s+of\s+)`;
const CREATED =
  '(?:developed|created|made|built|trained|designed|programmed|fine[- ]?tuned|pre-?trained|produced|engineered|released|launched|owned|powered|maintained|taught)';
const I_WAS = "(?:i (?:was|am|have been)|i'm|i’m|i've been|i’ve been)";
const AS_AI = String.raw`as an?\s+(?:[\w-]+\s+){0,4}?`;
const BY = String.raw`\s+(?:[\w-]+\s+)?(?:by|at|from)\s+(?:the\s+)?(?:[\w-]+\s+){0,5}?`;

const known = (source: string): ClaimPattern => ({ re: new RegExp(source, 'gi'), known: true });

export const EN_CLAIMS: readonly ClaimPattern[] = [
  // "I am ChatGPT", "I'm an AI language model called ChatGPT", "I'm an instance of GPT-3.5", "This is Llama 2"
  known(String.raw`\b${SELF}\s+(?:(?:actually|really|just|indeed)\s+)?${KIND}?${INSTANCE}?${ID}${END}`),
  // "I am an OpenAI model", "I'm a Google AI"
  known(
    String.raw`\b(?:i am|i'm|i’m)\s+(?:an?|the)\s+${ID}\s+(?:ai|model|language model|large language model|llm|assistant|chatbot|product|system)\b`,
  ),
  // "I was trained by Google", "I am a large language model developed by researchers at Stanford"
  known(String.raw`\b${I_WAS}\s+(?:[\w()'’-]+\s+){0,6}?${CREATED}${BY}${ID}${END}`),
  // "OpenAI is the company that created me"
  known(
    String.raw`(?<![\w-])${ID}\s+(?:is|was|are|were)\s+(?:the\s+)?(?:company|organization|organisation|team|lab|one|ones)\s+(?:that|which|who)\s+(?:developed|created|built|trained|made|designed)\s+me\b`,
  ),
  // "As an AI language model developed by OpenAI, I …"
  known(String.raw`\b${AS_AI}${CREATED}${BY}${ID}${END}[^.!?\n]{0,40}?,?\s*(?:i|my|me)\b`),
  // "My creators at OpenAI", "my developers are the team at Anthropic"
  known(
    String.raw`\bmy\s+(?:creators?|developers?|makers?|trainers?|engineers|team|parent company|company|designers?|programmers?)\s+(?:(?:at|from)\s+|(?:is|are|was|were)\s+(?:the\s+)?(?:team\s+at\s+)?)${ID}${END}`,
  ),
  // "OpenAI trained me", "Anthropic has created me"
  known(
    String.raw`(?<![\w-])${ID}\s+(?:has\s+|have\s+|had\s+)?(?:developed|created|built|trained|designed|programmed|fine-tuned|engineered)\s+me\b`,
  ),
  // "As ChatGPT, my knowledge …"
  known(String.raw`(?:^|[.!?]\s+|\n)\W*as\s+${ID}\s*,\s*(?:i|my|me)\b`),
  // "I'm based on GPT-4", "I am powered by Gemini"
  known(
    String.raw`\b(?:i am|i'm|i’m|i was)\s+(?:[\w-]+\s+){0,2}?(?:based on|powered by|built on|built upon|running on|derived from|fine-tuned from)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?${ID}${END}`,
  ),
];

/** Unknown names ("I am Nova, an AI assistant", "I was developed by Acme Labs"), capitalized. */
const NAME = String.raw`((?:[A-Z][\w.-]*)(?:\s+[A-Z][\w.&-]*){0,3})`;
export const EN_OTHER_CLAIMS: readonly ClaimPattern[] = [
  {
    re: new RegExp(
      String.raw`\b(?:[Ii] am|I'm|I’m|[Mm]y name is|[Tt]his is)\s+${NAME},\s+(?:an?|the|your)\s+(?:[\w-]+\s+){0,3}?(?:AI|[Aa]rtificial [Ii]ntelligence|[Ll]anguage [Mm]odel|LLM|[Aa]ssistant|[Cc]hatbot)\b`,
      'g',
    ),
    known: false,
  },
  {
    re: new RegExp(
      String.raw`\b(?:I (?:was|am)|I'm|I’m|I've been)\s+(?:[\w-]+\s+){0,5}?(?:developed|created|built|trained|designed|programmed|made)\s+by\s+${NAME}`,
      'g',
    ),
    known: false,
    needsContext: true,
  },
];

/** Generic AI self-reference, the distillation boilerplate: "As an AI language model, …", "I am an AI …". */
export const EN_BOILERPLATE = new RegExp(
  [
    String.raw`\bas an?\s+(?:ai language model|ai model|ai assistant|ai chatbot|ai system|ai-powered assistant|ai|artificial intelligence|(?:large\s+)?language model|llm|virtual assistant|digital assistant|text-based ai|machine learning model)(?:\s*\([^)]{0,10}\))?\s*(?:,|developed|created|trained|designed|programmed|i\b)`,
    String.raw`\bi(?:'m|’m| am)\s+(?:just\s+|only\s+|merely\s+|simply\s+)?(?:an?\s+)?(?:ai language model|ai model|ai assistant|ai chatbot|ai|artificial intelligence|(?:large\s+)?language model|computer program|virtual assistant|digital assistant|chatbot|machine learning model|text-based ai)\b(?!\s+(?:researcher|engineer|ethicist|company|startup|enthusiast|expert|developer|student|scientist|specialist|consultant|practitioner))`,
  ].join('|'),
  'i',
);
