/**
 * Is the answer cut off mid-sentence? Hard evidence: the last line ends on a connective, article,
 * preposition or auxiliary ("… because the"), on a comma / dash / opening bracket, on a colon that
 * introduces nothing, or inside an unclosed bracket or quote. Soft evidence: a long prose last line
 * without terminal punctuation in an answer that otherwise uses it. Lists, headings, tables, code lines
 * and verse end without punctuation legitimately and are left alone; so are letter closings ("Sincerely,").
 */

/** Words a finished English sentence does not end on. */
const CONNECTIVES = new Set(
  (
    'and or but nor the a an of to with for in on at by from into onto that which whose because although ' +
    'though whereas if than as such including like between among through during without within whether ' +
    'their its his her my your our these those are was were will would can could should shall may might ' +
    'must has have had been being via towards toward upon unless until while whilst e.g i.e is over when where ' +
    'who whom so about after before across under against around despite except per plus versus vs both either ' +
    'neither each every'
  ).split(' '),
);
/** Chinese function words a finished sentence does not end on (and, of, is, at, because, if, …). */
const ZH_CONNECTIVES =
  /(?:和|与|及|或|的|是|在|把|被|对|从|向|因为|所以|但是|而且|如果|以及|或者|并且|虽然|由于)$/;
/** Final characters of a finished answer: . ! ? quotes, closing brackets, ellipsis, 。！？ and friends. */
const FINISHED = new Set(Array.from('.!?"\')]}>`*”’…。！？）】」』', (ch) => ch.charCodeAt(0)));
const OPEN_ENDINGS = new Set([',', '-', '–', '—', '(', '[', '，', '、', '：', '（', '“', '《']);
/** Operators that end a sentence only when cut ("2 +", "salt &"), not in "C++". */
const SPACED_ENDINGS = new Set(['&', '+', '=']);
/** Instructions whose answers are word lists or fragments (sorting, tagging, verse), where the last word can be anything. */
const FRAGMENTS =
  /\b(?:sort|arrange|order|alphabeti|rearrange|reorder|scramble|part of speech|parts of speech|verb|noun|preposition|conjunction|article|identify|poem|haiku|song|lyric|rap|verse|limerick|rhyme|title|headline|slogan|tagline|invert|revers|backwards|word order|extract|list)/i;
const LIST_ITEM = /^(?:[-*+•–]\s|\d{1,3}[.)]\s?|[a-zA-Z][.)]\s|#|\||>)/;
const CODE_LINE = /^(?:for|if|elif|else|while|def|class|try|except|with|switch|case|function)\b|[;{}]|^\s/;
const CLOSING =
  /^(?:(?:with\s+)?(?:best|kind|warm|warmest|heartfelt|many)?\s*(?:regards|wishes|thanks|gratitude|love|appreciation)|sincerely(?: yours)?|yours(?: truly| sincerely| faithfully)?|cheers|respectfully|thank you|dear\b.*|hi\b.*|hello\b.*)$/i;

export interface CutOff {
  hard: boolean;
  why: string;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/** `words` is the answer's word count; `lines` its non-empty lines. Returns null when it looks finished. */
export function cutOff(answer: string, words: number, instruction: string): CutOff | null {
  let e = answer.length - 1;
  for (
    let c = answer.charCodeAt(e);
    e >= 0 && (c === 32 || c === 10 || c === 9 || c === 13);
    c = answer.charCodeAt(--e)
  );
  if (e < 0 || FINISHED.has(answer.charCodeAt(e))) return null;
  const t = answer.slice(0, e + 1);
  const nl = t.lastIndexOf('\n');
  const rawLast = t.slice(nl + 1);
  const last = rawLast.trimStart();
  if (last.startsWith('```')) return null;
  const ch = t[t.length - 1];
  const lastWords = last.split(/\s+/).length;
  const listy = LIST_ITEM.test(last);
  const code = CODE_LINE.test(rawLast);

  const spaced = SPACED_ENDINGS.has(ch) && /\s/.test(t[t.length - 2] ?? '');
  if ((OPEN_ENDINGS.has(ch) || spaced) && words >= 3 && /\p{L}/u.test(last)) {
    if (ch === ',' && lastWords <= 5 && CLOSING.test(last.slice(0, -1).trim())) return null;
    if (!(ch === '-' && /^[-|\s]+$/.test(last))) return { hard: true, why: `ends with '${ch}'` };
  }
  if (ch === ':' && !listy && !code && lastWords >= 3) return { hard: true, why: "ends with ':'" };

  const c = ch.charCodeAt(0);
  const latinEnd = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  const wordish = latinEnd || (c >= 48 && c <= 57) || (c >= 0x4e00 && c <= 0x9fff);
  // Unclosed brackets or quotes on a last line that also lacks final punctuation.
  if (wordish) {
    if (count(last, '(') > count(last, ')')) return { hard: true, why: 'unclosed (' };
    if (count(last, '[') > count(last, ']')) return { hard: true, why: 'unclosed [' };
    if (count(last, '“') > count(last, '”')) return { hard: true, why: 'unclosed “' };
    if (count(last, '"') % 2 === 1) {
      const q = last.lastIndexOf('"');
      if ((q === 0 || /\s/.test(last[q - 1])) && /\p{L}/u.test(last.slice(q + 1)))
        return { hard: true, why: 'unclosed "' };
    }
  }
  if (c >= 97 && c <= 122 && words >= 4 && lastWords >= 3 && !code && !/^[^:]{1,30}:/.test(last)) {
    const m = /([A-Za-z.]+)$/.exec(t);
    const w = m ? m[1] : '';
    if (CONNECTIVES.has(w) && !FRAGMENTS.test(instruction)) return { hard: !listy, why: `ends with '${w}'` };
  }
  if (c >= 0x4e00 && c <= 0x9fff && t.length >= 10 && ZH_CONNECTIVES.test(t))
    return { hard: true, why: `ends with '${ch}'` };
  // Soft: a long prose line without final punctuation where the answer punctuates elsewhere.
  if (
    wordish &&
    !listy &&
    !code &&
    !/#\w+$/.test(t) &&
    count(last.slice(last.lastIndexOf('. ') + 1), ',') < 3
  ) {
    const cjk = c >= 0x4e00;
    const long = cjk ? last.length >= 20 : lastWords >= 10;
    const punctuates = cjk ? t.includes('。') : /[.!?]["')\]]?\s/.test(t);
    if (long && punctuates) return { hard: false, why: 'no final punctuation' };
  }
  return null;
}
