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
  /\b(?:sort|arrange|order|alphabeti|rearrange|reorder|scramble|part of speech|parts of speech|verb|noun|preposition|conjunction|article|poem|haiku|song|lyric|rap|verse|limerick|rhyme|title|headline|slogan|tagline|invert|revers|backwards|word order|keyword|tag)/i;
/**
 * Connectives that always need a continuation: an answer or a list item ending on one is cut, however
 * short. The other CONNECTIVES end a line legitimately more often ("goals to strive for", "what it is
 * made of"): they count on a longer line, and only softly in a list item.
 */
const STRONG = new Set('the a an and or nor than because although whereas whether'.split(' '));
/**
 * English words of one to three letters (lowercase): a last token of one to three lowercase letters
 * that is none of them is a word cut in the middle ("… the atmo", "… sunli" are caught elsewhere).
 */
const SHORT_WORDS = new Set(
  (
    'a i am an as at be by do go he if in is it me my no of on or so to up us we ' +
    'ace act add ado ads age ago aid aim air ale all and ant any ape apt arc are ark arm art ash ask ate awe axe ' +
    'bad bag ban bar bat bay bed bee beg bet bid big bin bit bog boo bow box boy bra bud bug bun bus but buy bye ' +
    'cod cop cot cog con col dab den dub eel emu fad fib gal gnu hem hex ion jot kin lax lei lug lux mar mew nab ' +
    'cab cam can cap car cat cow cry cub cue cup cut dad dam day den dew did die dig dim dip doc doe dog don dot dry ' +
    'due dug dye ear eat egg ego elf elk elm end era eve ewe eye fan far fat fax fed fee few fig fin fit fix flu fly ' +
    'foe fog for fox fry fun fur gap gas gel gem get gig gin god got gum gun gut guy gym had ham has hat hay hen her ' +
    'hey hid him hip his hit hog hop hot how hub hue hug hum hut ice icy ill imp ink inn ion its ivy jab jam jar jaw ' +
    'jet job jog joy jug key kid kin kit lab lad lag lap law lay leg let lid lie lip lit log lot low mad man map mat ' +
    'may men met mid mix mob mom mop mud mug nap net new nil nod nor not now nun nut oak oar oat odd off oft oil old ' +
    'one opt orb ore our out owe owl own pad pal pan par pat paw pay pea peg pen per pet pie pig pin pit ply pod pop ' +
    'pot pro pub pun pup put rag ram ran rap rat raw ray red rib rid rim rip rob rod rot row rub rug rum run rut sad ' +
    'sap sat saw say sea see set sew she shy sin sip sir sit six ski sky sly sob sod son sow soy spa spy sub sue sum ' +
    'sun tab tag tan tap tar tax tea ten the tie tin tip toe ton too top tow toy try tub tug two use van vat vet via ' +
    'vow wag war was wax way web wed wet who why wig win wit woe won wow yak yam yap yes yet you zip zoo ' +
    'etc faq pdf api url gdp usa bmi cpu gpu ram ssd tv pc ai ok vs id km kg cm mm ml mg lb lbs oz ft hr min sec mph kph'
  ).split(' '),
);
/** Instructions whose answers are not plain words (ciphers, phonetics, variables). */
const ENCODED =
  /\b(?:cipher|caesar|encode|encrypt|decrypt|phonetic|transcri|ipa|morse|abbreviat|acronym|equation|expression|variable|formula)/i;
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
  if (c >= 97 && c <= 122 && !code && !FRAGMENTS.test(instruction)) {
    const m = /([A-Za-z.]+)$/.exec(t);
    const w = m ? m[1] : '';
    const lower = w.toLowerCase();
    // "… and the", "3. Mix the flour and", "Boxer: The": a strong connective is cut whenever a word precedes it.
    if (STRONG.has(lower) && words >= 2 && lastWords >= 2) return { hard: true, why: `ends with '${w}'` };
    if (CONNECTIVES.has(w) && words >= 3 && lastWords >= 3 && !/^[^:]{1,30}:/.test(last))
      return { hard: !listy, why: `ends with '${w}'` };
    // "… the atmo": a one-to-three-letter lowercase token that is no word, after a prose line.
    // Prose: no formula, no "label:" and no comma list on the last line ("Fish - salmon, pike, cod").
    const prose =
      !/[=+*/<>_\d:]/.test(last) &&
      count(last, ',') < 2 &&
      !/\s[-–—]\s/.test(last) &&
      !ENCODED.test(instruction);
    if (/^[a-z]{1,3}$/.test(w) && !SHORT_WORDS.has(w) && words >= 3 && lastWords >= 3 && !listy && prose)
      return { hard: true, why: `ends mid-word ('${w}')` };
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
