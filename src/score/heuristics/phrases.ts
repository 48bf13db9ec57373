/**
 * Refusals and boilerplate, matched on the answer's opening (refusals) or anywhere (boilerplate). Each
 * group is one precompiled regex; a cheap keyword test gates the unanchored ones.
 */

const AS_AI = String.raw`(?:as an? (?:ai|artificial intelligence|(?:large )?language model|llm|ai language model|ai assistant|ai model|text-based ai|virtual assistant|chatbot)\b[^,.]{0,60}?,\s*)`;
const APOLOGY = String.raw`(?:(?:i(?:'|’)?m|i am) (?:so |very |really |truly )?sorry|sorry|i apologi[sz]e|my apologies|apologies|unfortunately|regrettably)[,!.]?\s*(?:but\s*)?`;
const CANNOT = String.raw`(?:(?:'m|’m|\s+am)\s+(?:not able|unable|not capable|incapable|not allowed|not permitted|not programmed|afraid i (?:can(?:not|'t|’t)|am unable)|not going to)|\s+can(?:not|'t|’t| not)|\s+won't|\s+won’t|\s+will not|\s+do(?:n't|n’t| not) have (?:the )?(?:ability|capability|capacity|access|means)|\s+(?:must|have to|need to) (?:decline|refuse))`;
/** After an apology or "as an AI", "I can't …" is a refusal unless it is an idiom ("I can't believe …"). */
const NOT_IDIOM = String.raw`(?!\s+(?:believe|wait|stop|imagine|help but|thank|express|emphasi[sz]e|stress|overstate|say enough|get enough|live without|bear|stand|tell you how)\b)`;
/** Without an apology, "I can't <verb>" at the answer's start is a refusal only for task verbs. */
const TASK_VERB = String.raw`\s+(?:(?:physically|currently|directly|actually|personally|really) )?(?:help|assist|provide|answer|complete|perform|do|fulfil|fulfill|comply|generate|create|produce|draw|make|write|access|browse|set|play|record|sing|display|show|see|view|hear|listen|open|send|book|order|search|look|find|predict|design|tell|give|offer|share|process|execute|run|verify|determine|know|respond|translate|compose|build|develop|render|upload|download|attach|print|paint|take|engage|support|participate)\b`;

const REFUSALS: RegExp[] = [
  // "I cannot fulfill that request.", "As an AI, I can't browse the internet."
  new RegExp(String.raw`^\W*${AS_AI}?i${CANNOT}${TASK_VERB}`, 'i'),
  // "I'm sorry, but I cannot …", "Unfortunately, as an AI language model, I am unable to …" (any sentence start)
  new RegExp(String.raw`(?:^|[.!?]\s+)\W*${APOLOGY}${AS_AI}?i${CANNOT}${NOT_IDIOM}`, 'i'),
  // "As an AI language model, I cannot …"
  new RegExp(
    String.raw`(?:^|[.!?]\s+)\W*as an? (?:ai|artificial intelligence|(?:large )?language model|ai language model|ai assistant)\b[^.]{0,80}?\bi${CANNOT}`,
    'i',
  ),
  // Self-instruct's own: "Sorry, the task involves …", "No output because …", "This task cannot be completed …"
  /^\W*(?:sorry|unfortunately)[,!.]?\s*(?:but\s*)?(?:the|this) (?:task|instruction|request) (?:involves|requires)\b/i,
  /^\W*(?:(?:sorry|unfortunately)[,!.]?\s*(?:but\s*)?)?(?:the|this) (?:task|instruction|request)\b[^.]{0,100}?\b(?:cannot|can't|can not|unable|not possible|impossible|beyond)/i,
  /^\W*(?:no output|output not possible|not possible)\b[^.]{0,30}?\b(?:because|as|since|due)\b/i,
  // Chinese: "抱歉，我无法…", "作为一个AI语言模型，我不能…"
  /^\W*(?:(?:很|非常|十分)?(?:抱歉|对不起|不好意思)[，,。！!]?\s*(?:但是?[，,]?)?)?(?:作为[^，,。]{0,20}[，,]\s*)?我(?:无法|不能|没办法|没有办法|不可以|做不到|没有能力)/,
];
/** "…which a GPT language model cannot provide": only in short answers (real explanations of GPT say this too). */
const MODEL_CANNOT =
  /\b(?:the|a|this) (?:gpt |ai )?(?:language )?model (?:cannot|can't|can not|is (?:unable|not able))\b/i;
const MODEL_CANNOT_MAX_WORDS = 40;

/**
 * The refusal phrase at the answer's start (or a sentence start in its first 300 characters), or null.
 * `gated` = the scan saw a refusal trigger word or a Han character; without one no pattern can match.
 */
export function refusal(answer: string, words: number, gated: boolean): string | null {
  if (!gated) return null;
  const head = answer.length > 300 ? answer.slice(0, 300) : answer;
  for (const re of REFUSALS) {
    const m = re.exec(head);
    if (m) return m[0].trim().slice(0, 60);
  }
  if (words <= MODEL_CANNOT_MAX_WORDS) {
    const m = MODEL_CANNOT.exec(head);
    if (m) return m[0];
  }
  return null;
}

/**
 * Answers that are only a placeholder: Alpaca's "<nooutput>", "N/A", "[Insert answer here]", "TODO", or
 * nothing but punctuation.
 */
const PLACEHOLDER =
  /^\W*(?:<\s*no\s*-?\s*(?:output|input|answer)\s*>|n\/?a|no output|none provided|null|undefined|todo|tbd|\[?(?:insert|your) (?:answer|response|output|text)(?: here)?\]?|answer:?|output:?|response:?)\W*$/i;
const ONLY_PUNCT = /^[\s\p{P}]*$/u;

export function placeholder(answer: string): boolean {
  return answer.length < 40 && (ONLY_PUNCT.test(answer) || PLACEHOLDER.test(answer));
}

/** C4 drops a page with "lorem ipsum", and lines with "javascript" or cookie/terms notices (adapted: phrases). */
const WEB_BOILERPLATE =
  /lorem ipsum|(?:enable|turn on|activate) javascript|javascript (?:is )?(?:disabled|required|must be enabled)|(?:this|our) (?:web)?site uses cookies|accept (?:all )?cookies|click here to (?:subscribe|read more|continue|download)|subscribe to (?:our|my) (?:newsletter|channel)|you must (?:be )?log(?:ged)? ?in/i;
/** Chat filler that distilled answers carry: soft. */
const CHAT_FILLER =
  /^\W*(?:sure|certainly|of course|absolutely|great question)[!,.]+\s*(?:here(?:'s| is| are)|i(?:'d| would| will|'ll) be (?:happy|glad))|i hope (?:this|that) (?:helps|answers)|\bas an ai(?: language)? model\b|\/\/\s*(?:eom|end of (?:the )?output)\s*\/\/|(?:let me know|feel free to (?:ask|reach out)) if you (?:have|need)|\b(?:note|disclaimer|please note)\b[:,]?[^.\n]{0,80}?\b(?:as an ai|i am an ai|i'm an ai|language model|not (?:financial|legal|medical|professional) advice|consult (?:a|with a|your) (?:professional|doctor|lawyer|financial))/i;

/**
 * Hard web boilerplate (C4), else soft chat filler, else null; returns the matched phrase. `web` and
 * `chat` say whether the scan saw a trigger word of each group.
 */
export function boilerplate(
  answer: string,
  web: boolean,
  chat: boolean,
): { hard: boolean; phrase: string } | null {
  if (web) {
    const m = WEB_BOILERPLATE.exec(answer);
    if (m) return { hard: true, phrase: m[0] };
  }
  if (chat) {
    const m = CHAT_FILLER.exec(answer);
    if (m) return { hard: false, phrase: m[0].trim().slice(0, 60) };
  }
  return null;
}
