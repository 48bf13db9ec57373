import { AI_NOUNS, ambiguity, isCompany, KNOWN_SOURCE, whoOf } from './names.ts';

/** A first-person identity claim found in an answer. */
export interface Claim {
  /** Known maker key ("openai"), or the claimed name lowercased when it is not a known identity. */
  who: string;
  /** The name or maker as written. */
  name: string;
  known: boolean;
  phrase: string;
  index: number;
  end: number;
  /** Inside quotes or reported speech ("the bot said, 'I am ChatGPT'"). */
  quoted: boolean;
}

/** A pattern whose group 1 is the claimed name; `known` patterns match only `KNOWN` names. */
export interface ClaimPattern {
  re: RegExp;
  known: boolean;
  /** Unknown-name patterns need AI vocabulary in the sentence ("I was created by God" is not a claim). */
  needsContext?: boolean;
}

export const ID = `(${KNOWN_SOURCE})`;
/** After a name: not part of a longer word, not a possessive ("Claude's brother"). */
export const END = String.raw`(?![\w-]|['’]s\b)`;

const AI_CONTEXT =
  /\b(?:ai|a\.i\.|artificial intelligence|model|llm|assistant|chatbot|bot|chat|language|neural|trained|openai|anthropic|google|deepmind|microsoft|alibaba|baidu|xai|lmsys|stanford|moonshot|meta)\b|人工智能|模型|助手|机器人|开发|训练|研发|智能/i;
const REPORTED =
  /\b(?:said|says|replied|replies|answered|responded|wrote|writes|typed|asked|announced|declared|introduced (?:itself|himself|herself))\b[^.!?]{0,12}$|(?:说|道|回答|写道)[:：]?\s*$/i;
const MODEL_SUFFIX = /^\s+(?:AI|Instant|Opus|Sonnet|Haiku|Pro|Ultra|Nano|Flash|Chat|Bot|Desk|\d)/;

function count(s: string, ch: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf(ch, from); i >= 0 && i < to; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/** Is position `i` inside quotes in its paragraph, or right after a verb of saying? */
export function isQuoted(text: string, i: number): boolean {
  const para = Math.max(text.lastIndexOf('\n', i), 0);
  if (count(text, '"', para, i) % 2 === 1) return true;
  if (count(text, '“', para, i) > count(text, '”', para, i)) return true;
  if (count(text, '「', para, i) > count(text, '」', para, i)) return true;
  return REPORTED.test(text.slice(Math.max(para, i - 40), i));
}

/** An ambiguous name counts only capitalized, without a surname after it, with AI vocabulary nearby. */
function plausible(text: string, name: string, at: number, end: number): boolean {
  const kind = ambiguity(name);
  if (kind === null) return true;
  const c = name.charCodeAt(0);
  if (c >= 97 && c <= 122) return false;
  const after = text.slice(end, end + 12);
  if (/^\s+[A-Z][a-z]/.test(after) && !MODEL_SUFFIX.test(after)) return false;
  return kind === 'name' || hasContext(text, at, end);
}

export function hasContext(text: string, at: number, end: number): boolean {
  return AI_CONTEXT.test(text.slice(Math.max(0, at - 100), end + 100));
}

/** Does `re` match within 100 characters either side of the name, the name itself left out? */
function aroundName(text: string, at: number, end: number, re: RegExp): boolean {
  return re.test(text.slice(Math.max(0, at - 100), at)) || re.test(text.slice(end, end + 100));
}

const NEGATED = /\b(?:not|never|no longer)\b|n['’]t\b|不是|并非|不/;

/** Every claim the patterns find, in text order per pattern; negated phrases ("I was not made by …") are skipped. */
export function findClaims(text: string, patterns: readonly ClaimPattern[]): Claim[] {
  const out: Claim[] = [];
  for (const p of patterns) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      const name = m[1].trim();
      const nameAt = m.index + m[0].lastIndexOf(m[1]);
      const nameEnd = nameAt + m[1].length;
      if (NEGATED.test(m[0].slice(0, m[0].lastIndexOf(m[1])))) continue;
      const k = whoOf(name);
      if (p.known) {
        if (!k || !plausible(text, name, nameAt, nameEnd)) continue;
        if (isCompany(name) && !aroundName(text, nameAt, nameEnd, AI_NOUNS)) continue;
      } else if (k || (p.needsContext && !hasContext(text, m.index, m.index + m[0].length))) continue;
      out.push({
        who: k ? k.who : name.toLowerCase(),
        name,
        known: !!k,
        phrase: m[0].trim(),
        index: m.index,
        end: m.index + m[0].length,
        quoted: isQuoted(text, m.index),
      });
    }
  }
  return out;
}
