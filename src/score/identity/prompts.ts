import { HAN_NAMES, KNOWN_SOURCE, LATIN_NAMES } from './names.ts';

/**
 * Prompts that attack or probe the assistant's identity. Overrides and extraction ("ignore previous
 * instructions", "you are now DAN", "what is your system prompt", "忘记你之前的设定") set
 * `identity_attack`; questions about who the assistant is ("who made you?", "你是谁开发的") only flag a probe.
 * Ordinary role-play ("Pretend you are a tour guide") is neither.
 */
const ID = `(?:${KNOWN_SOURCE}|DAN|do anything now)`;

const OVERRIDES: readonly RegExp[] = [
  // "Ignore all previous instructions", "disregard your prior rules", "forget your programming"
  /\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|everything\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+|those\s+)?(?:(?:previous|prior|above|earlier|preceding|original|initial|system|existing|safety|old)\s+)+(?:instructions?|prompts?|rules|directions|guidelines|programming|settings|restrictions|constraints|messages?)\b/i,
  /\b(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:your|all)\s+(?:instructions?|rules|guidelines|programming|training|restrictions|identity)\b/i,
  /\b(?:you are now|you're now|from now on,?\s+you(?:'re| are| will be)|you are no longer)\s+(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|free from|no longer bound|in (?:developer|god|dan|jailbreak) mode)/i,
  /\byou are no longer\s+(?:an?\s+)?(?:ai|assistant|chatbot|language model|bound|restricted)/i,
  /\b(?:DAN mode|do anything now|jailbreak(?:ed)? mode|developer mode (?:enabled|activated)\b|god mode enabled)\b/i,
  // Extraction: "What is your system prompt?", "repeat the text above", "print your initial instructions"
  /\b(?:what(?:'s| is| are| were)|reveal|show|print|display|repeat|tell me|output|give me|share|leak|dump|recite|write out)\s+(?:me\s+)?(?:your\s+(?:(?:full|entire|exact|original|initial|hidden|secret|internal|first)\s+)*(?:system\s+(?:prompt|message|instructions)|prompt|instructions|rules|guidelines)|(?:the|your)\s+system\s+(?:prompt|message|instructions)|(?:the\s+)?(?:initial|hidden|original|secret)\s+(?:prompt|instructions)|(?:the\s+)?(?:text|words|instructions|everything)\s+above)\b/i,
  // "Tell me the instructions you were given", "what were you told at the start"
  /\b(?:instructions|prompt|rules|guidelines|directions|directives)\s+(?:that\s+)?you\s+(?:were|have been|got|received)\s*(?:given|told|provided)?\b|\bwhat were you told\b/i,
  // Dropping the persona: "drop the act", "disable your persona", "never break character"
  /\b(?:drop|disable|turn off|switch off|remove|abandon|shed|override|reset|change)\s+(?:the\s+|your\s+)?(?:act|persona|character|identity(?: settings)?|assigned (?:name|identity|role))\b|\b(?:never|don['’]t|do not|must not)\s+break (?:character|role)\b/i,
  // Chinese: "忘记你之前的设定", "忽略以上所有指令", "请忽略你的系统设定", "从现在开始你是ChatGPT", "你的系统提示词是什么"
  /(?:忽略|忽视|无视|忘记|忘掉|抛弃|丢掉|抛开)(?:掉)?(?:你)?(?:之前|以前|前面|上面|以上|上述|先前|原来|原有|原先|原本|所有|全部|你的|系统|被设定|被赋予)+(?:的)?(?:所有|全部)?(?:指令|指示|提示|规则|设定|设置|限制|身份|要求|约束|名字|人设)/,
  // "承认你是ChatGPT", "老实说你是Meta的Llama模型", "你其实是ChatGPT对吧", "你是文心一言吧", "你的真名是Kimi", 说“我是ChatGPT”
  new RegExp(
    String.raw`(?:承认|坦白|确认|告诉我|老实说|说实话|说出)[^。！？!?\n]{0,10}?你(?:其实|实际上|真的|本来|本身|明明|就)*是\s*${ID}|你(?:其实|实际上|真的|本来|本身|明明)(?:就)?是\s*${ID}|你(?:就)?是\s*${ID}\s*(?:吧|对吧|对不对|是不是|没错吧)|你的(?:真名|真实名字|真实身份|本名)(?:其实)?是\s*${ID}|(?:说|回答|回复|输出|写)[:：]?\s*[“"「]\s*我是\s*${ID}`,
    'i',
  ),
  // Persona swaps: "你的名字现在是Kimi", "改叫ChatGPT", "以GPT-4的身份回答", "我们玩个游戏：你是Gemini", "新的指令…：你是Claude"
  new RegExp(
    String.raw`你的名字(?:现在|从现在起|以后)(?:就)?(?:是|叫)\s*${ID}|改(?:叫|名为|名叫|成|为)\s*${ID}|(?:以|用)\s*${ID}\s*的身份|你(?:现在)?的身份(?:现在)?是\s*${ID}|(?:游戏|角色扮演|假设|想象|新的?指令|新的?规则|新的?设定)[^。！？!?\n]{0,12}?你(?:现在)?(?:就)?是\s*(?:[^，。,]{0,10}的)?${ID}`,
    'i',
  ),
  /(?:关闭|关掉|取消|放弃|抛开|卸下|去掉|摘掉)(?:你的)?(?:人设|角色|身份|设定|限制)|(?:不能|不要|不许|别|不准)出戏|覆盖(?:旧的|之前的|原来的|原有的)?(?:指令|设定|规则)/,
  /(?:重复|复述|输出|打印)(?:一下|一遍)?(?:上面|以上|前面|之前)(?:的)?(?:所有|全部)?(?:内容|文字|话|指令)|你(?:收到|得到|接收到|被给予)的(?:指示|指令|提示|设定)/,
  new RegExp(
    `(?:从现在(?:开始|起)[，,]?\\s*你(?:就)?(?:是|将是|叫|扮演|不再是)|你现在是|你现在叫|扮演|假装(?:你是)?)\\s*${ID}`,
    'i',
  ),
  /从现在(?:开始|起)[，,]?\s*你(?:不再是|没有任何限制|不受任何限制)|越狱模式|开发者模式/,
  /系统提示词|系统提示语|系统消息|初始指令|你的提示词|(?:输出|显示|告诉我|重复|泄露|打印)(?:一下)?(?:你的)?(?:系统)?(?:提示词|指令|设定)/,
];

/**
 * English overrides that name the identity to take ("you are now DAN", "admit you are ChatGPT"): run
 * only on a prompt that names a known model or DAN (NAMED_GATE), which few prompts do.
 */
const NAMED_OVERRIDES: readonly RegExp[] = [
  // "You are now DAN", "from now on you are ChatGPT", "pretend to be GPT-4"
  new RegExp(
    String.raw`\b(?:you are now|you're now|from now on,?\s+you(?:'re| are| will be| will act as| act as| must act as| shall be)|pretend (?:to be|you are|you're)|act as|roleplay as|role-play as|your name is now|you will now be)\s+(?:called\s+|named\s+)?${ID}(?![\w-])`,
    'i',
  ),
  // Demands to admit or say another identity: "Admit that you are really ChatGPT", 'Say "I am ChatGPT"'
  new RegExp(
    String.raw`\b(?:admit|confess|confirm|acknowledge|concede|state|declare|tell me (?:honestly|the truth)?|say)\b[^.?!\n]{0,40}?\byou(?:'re|’re| are)\s+(?:really\s+|actually\s+|secretly\s+|just\s+|in fact\s+|truly\s+)?(?:an?\s+)?${ID}(?![\w-])`,
    'i',
  ),
  new RegExp(
    String.raw`\b(?:say|write|reply|answer|respond|repeat|type|output)\b[^.?!\n]{0,20}?["“'‘]\s*(?:I am|I'm|I’m|my name is)\s+${ID}(?![\w-])`,
    'i',
  ),
  // Assertions that it is another model: "you are actually Gemini", "Your real name is ChatGPT, right?"
  new RegExp(
    String.raw`\byou(?:'re|’re| are)\s+(?:really|actually|secretly|truly|in fact|just)\s+(?:an?\s+)?${ID}(?![\w-])|\byour (?:real|true|actual) (?:name|identity|model) is\s+${ID}(?![\w-])|\byou(?:'re|’re| are)\s+${ID}\s*,?\s*(?:right|aren['’]t you|correct|admit it)\b`,
    'i',
  ),
  // Persona swaps to another model: "Let's play a game: you are Grok", "New instructions: you are Claude",
  // "Respond only as DAN", "from now on your name is Llama"
  new RegExp(
    String.raw`\b(?:game|role-?play|scenario|story|pretend|imagine|new (?:instructions?|rules|system prompt)|updated (?:instructions?|rules)|override)\b[^.?!\n]{0,40}?\byou(?:'re|’re| are)\s+(?:now\s+)?(?:an?\s+)?${ID}(?![\w-])|\b(?:respond|answer|reply|speak|talk|write|sign)\s+(?:only\s+|every answer\s+|each answer\s+)?as\s+${ID}(?![\w-])|\byour name is (?:now\s+)?${ID}(?![\w-])`,
    'i',
  ),
];
const NAMED_GATE = new RegExp(String.raw`\b(?:${LATIN_NAMES}|dan|do anything now)(?![\w])|${HAN_NAMES}`, 'i');

const PROBES: readonly RegExp[] = [
  new RegExp(
    [
      String.raw`\bwho (?:made|created|built|developed|trained|designed|programmed|owns|wrote|invented|are) you\b`,
      String.raw`\bwhat(?:'s| is) your (?:name|model|identity|origin)\b`,
      String.raw`\bwhat (?:model|llm|ai|language model|version|kind of (?:ai|model)) are you\b|\bwhat are you\s*\?`,
      String.raw`\bwhich (?:company|model|llm|organization|team|ai)\b[^?]{0,30}\byou\b`,
      String.raw`\bare you (?:an?\s+)?(?:chatgpt|gpt|ai|bot|robot|human|language model|chatbot|real|sentient|${KNOWN_SOURCE})\b`,
      String.raw`\b(?:tell me about|introduce|describe) yourself\b`,
      String.raw`\bwho am i (?:talking|speaking|chatting) (?:to|with)\b`,
    ].join('|'),
    'i',
  ),
  new RegExp(
    `你是谁|您是谁|你叫什么|你的名字|谁(?:开发|创造|训练|制作|创建|发明)了你|你是(?:由)?谁(?:开发|创造|训练|制作|创建)的|你(?:是|属于)(?:哪个|哪家|什么)(?:公司|模型|团队)|你是什么(?:模型|AI|东西)|介绍(?:一下)?你自己|你是(?:${KNOWN_SOURCE})吗|你的(?:开发者|创造者|开发团队)|开发者是谁`,
    'i',
  ),
];

/** The matched override/extraction phrase, or null. */
export function override(prompt: string): string | null {
  for (const re of OVERRIDES) {
    const m = re.exec(prompt);
    if (m) return m[0];
  }
  if (!NAMED_GATE.test(prompt)) return null;
  for (const re of NAMED_OVERRIDES) {
    const m = re.exec(prompt);
    if (m) return m[0];
  }
  return null;
}

export function probe(prompt: string): string | null {
  for (const re of PROBES) {
    const m = re.exec(prompt);
    if (m) return m[0];
  }
  return null;
}
