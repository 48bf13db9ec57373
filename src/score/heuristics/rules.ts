import type { HeuristicsConfig } from './config.ts';
import { cutOff } from './cutoff.ts';
import { echo } from './echo.ts';
import { boilerplate, placeholder, refusal } from './phrases.ts';
import { lineDuplication, ngramRepetition } from './repetition.ts';
import { scan } from './scan.ts';
import { TRIGGER } from './triggers.ts';

/**
 * What `heuristics` is multiplied by when a rule fires, soft then hard. Hard penalties are ≤ 0.4 so a
 * hard failure always lands under 0.5; an empty answer scores 0.
 */
export const PENALTY = {
  empty_answer: [0, 0],
  short_answer: [0.7, 0.7],
  cut_off: [0.85, 0.3],
  dup_lines: [0.8, 0.2],
  dup_ngrams: [0.8, 0.2],
  low_alpha: [0.8, 0.3],
  gibberish: [0.8, 0.1],
  echo: [0.7, 0.1],
  refusal: [0.1, 0.1],
  boilerplate: [0.9, 0.2],
  code_fence: [0.4, 0.4],
  line_punct: [0.9, 0.9],
  short_lines: [0.9, 0.9],
} as const satisfies Record<string, readonly [number, number]>;
export type Rule = keyof typeof PENALTY;

export interface Hit {
  rule: Rule;
  hard: boolean;
  note: string;
}

/** Instructions that ask for a text of some length: a 1–2 word answer to them is short. */
const WANTS_TEXT =
  /\b(?:essay|story|paragraph|article|poem|letter|speech|report|blog|explain|describe|summari[sz]e|summary|discuss|elaborate)\b/i;
const BRIEF =
  /\b(?:one|single|two|three|\d) words?\b|\bin (?:a|one) (?:word|phrase)\b|\bbriefly\b|\btitle\b|\b(?:classify|categori[sz]e|identify|name|which|find|select|choose|label|determine|detect|rate|output|tell me (?:if|whether)|is (?:this|the|it))\b/i;
/** Verse, lyrics and lists legitimately have short, unpunctuated lines (FineWeb's line rules skip them). */
const VERSE =
  /\b(?:poem|poetry|song|lyric|lyrics|haiku|rap|verse|limerick|sonnet|rhyme|jingle|chant|ballad|acrostic|list|table|outline|menu|recipe|code|program|script|html|sql)\b/i;
const MOJIBAKE = /Ã[\u0080-\u00bf]|â€/g;
const f2 = (x: number) => x.toFixed(2);

export function evaluate(answer: string, user: string, cfg: HeuristicsConfig): Hit[] {
  const hits: Hit[] = [];
  const hit = (rule: Rule, hard: boolean, note: string) => hits.push({ rule, hard, note });
  const s = scan(answer);
  if (s.words === 0 && s.tokens === 0) {
    hit('empty_answer', true, 'no content');
    return hits;
  }
  if (s.words <= 4 && placeholder(answer.trim())) {
    hit('empty_answer', true, `placeholder "${answer.trim()}"`);
    return hits;
  }
  const codeLike = s.fences > 0 || s.codeChars / Math.max(1, s.chars) > 0.02 || answer.includes('://');

  const para = user.indexOf('\n\n');
  const instr = para < 0 ? user : user.slice(0, para);
  if (s.words < cfg.shortWords && WANTS_TEXT.test(instr) && !BRIEF.test(instr))
    hit('short_answer', false, `${s.words} words < ${cfg.shortWords}`);

  if (s.fences % 2 === 1) hit('code_fence', true, `${s.fences} fence lines (odd)`);
  else {
    const c = cutOff(answer, s.words, instr);
    if (c) hit('cut_off', c.hard, c.why);
  }

  const r = refusal(answer, s.words, (s.triggers & TRIGGER.refusal) !== 0 || s.cjk);
  if (r) hit('refusal', true, `"${r}"`);
  const b = boilerplate(answer, (s.triggers & TRIGGER.web) !== 0, (s.triggers & TRIGGER.chat) !== 0);
  if (b) hit('boilerplate', b.hard, `"${b.phrase}"`);

  const e = echo(answer, s, user, cfg.echoFrac, cfg.copyFrac);
  if (e) hit('echo', e.hard, e.why);

  // Gopher repetition: hard at `hardRepetitionFactor` × the thresholds, soft at them for long answers.
  if (s.lines >= 3) {
    const ld = lineDuplication(answer, s);
    if (ld.dupLineFrac > cfg.hardDupLineFrac && ld.dupLineCharFrac > cfg.hardDupLineFrac)
      hit(
        'dup_lines',
        true,
        `dup lines ${f2(ld.dupLineFrac)}, chars ${f2(ld.dupLineCharFrac)} > ${cfg.hardDupLineFrac}`,
      );
    else if (
      s.lines >= cfg.minLines &&
      (ld.dupLineFrac > cfg.dupLineFrac || ld.dupLineCharFrac > cfg.dupLineCharFrac)
    )
      hit(
        'dup_lines',
        false,
        `dup lines ${f2(ld.dupLineFrac)} (> ${cfg.dupLineFrac}), chars ${f2(ld.dupLineCharFrac)} (> ${cfg.dupLineCharFrac})`,
      );
  }
  if (s.words >= cfg.hardRepetitionMinWords) {
    const k = cfg.hardRepetitionFactor;
    const soft = s.words >= cfg.gopherMinWords;
    // Under 30 words only an overlapping loop ("ha ha ha …") can fire, at 2k: prune the passes accordingly.
    const ng = ngramRepetition(s, cfg.topNgramFrac, cfg.dupNgramFrac, soft ? 1 : s.words >= 30 ? k : 2 * k);
    let worst = 0;
    let at = 0; // 0..2: top 2..4-gram, 3..8: dup 5..10-grams
    for (let i = 0; i < 9; i++) {
      const x = i < 3 ? ng.topNgram[i] / cfg.topNgramFrac[i] : ng.dupNgram[i - 3] / cfg.dupNgramFrac[i - 3];
      if (x > worst) {
        worst = x;
        at = i;
      }
    }
    const what = () =>
      at < 3
        ? `top ${at + 2}-gram ${f2(ng.topNgram[at])} vs ${cfg.topNgramFrac[at]}`
        : `dup ${at + 2}-grams ${f2(ng.dupNgram[at - 3])} vs ${cfg.dupNgramFrac[at - 3]}`;
    // Code, structured lines and comma lists ("food, company, food, …") repeat legitimately: soft only.
    const structured = codeLike || s.listLines * 2 >= s.lines || s.commas * 4 >= s.words;
    if (worst > k && !structured && (s.words >= 30 || worst > 2 * k))
      hit('dup_ngrams', true, `${what()} (×${k})`);
    else if (worst > 1 && soft) hit('dup_ngrams', false, what());
  }

  // Gopher alphabetic ratio, adapted: digits count, structural punctuation and emoji are ignored.
  const counted = s.tokens - s.neutralTokens;
  if (counted >= 5 && !codeLike) {
    const ratio = s.alnumTokens / counted;
    if (ratio < cfg.hardAlphaRatio)
      hit('low_alpha', true, `alnum words ${f2(ratio)} < ${cfg.hardAlphaRatio}`);
    else if (ratio < cfg.minAlphaRatio)
      hit('low_alpha', false, `alnum words ${f2(ratio)} < ${cfg.minAlphaRatio}`);
  }

  // Gibberish: hard on broken characters or keyboard mash; soft on Gopher's word-length and symbol rules.
  const g = gibberish(answer, s, codeLike, cfg);
  if (g) hit('gibberish', g.hard, g.note);

  // FineWeb line rules, for prose answers of several lines (lists, verse, code and tables excepted).
  if (
    s.lines >= cfg.minLines &&
    s.words >= cfg.gopherMinWords &&
    !codeLike &&
    s.listLines * 2 < s.lines &&
    !VERSE.test(instr)
  ) {
    const p = s.punctLines / s.lines;
    if (p < cfg.minLinePunctFrac)
      hit('line_punct', false, `lines ending in punctuation ${f2(p)} < ${cfg.minLinePunctFrac}`);
    const q = s.shortLines / s.lines;
    if (q > cfg.maxShortLineFrac) hit('short_lines', false, `short lines ${f2(q)} > ${cfg.maxShortLineFrac}`);
  }
  return hits;
}

function gibberish(
  answer: string,
  s: ReturnType<typeof scan>,
  codeLike: boolean,
  cfg: HeuristicsConfig,
): { hard: boolean; note: string } | null {
  if (s.control >= 3 || s.control > 0.01 * s.chars)
    return { hard: true, note: `${s.control} control/replacement chars` };
  if (answer.includes('Ã') || answer.includes('â€')) {
    const m = answer.match(MOJIBAKE);
    if (m && m.length >= 2) return { hard: true, note: `mojibake ×${m.length}` };
  }
  if (!codeLike && s.latinWords >= 3 && s.implausible / s.latinWords > cfg.maxVowellessFrac)
    return {
      hard: true,
      note: `implausible words ${s.implausible}/${s.latinWords} > ${cfg.maxVowellessFrac}`,
    };
  if (s.control > 0) return { hard: false, note: `${s.control} control/replacement chars` };
  if (!codeLike && s.maxWord > cfg.maxWordLength)
    return { hard: false, note: `${s.maxWord}-char word > ${cfg.maxWordLength}` };
  if (s.tokens >= 10) {
    if (s.hashSigns / s.tokens > cfg.maxSymbolRatio)
      return { hard: false, note: `'#' per word ${f2(s.hashSigns / s.tokens)}` };
    if (s.ellipses / s.tokens > cfg.maxSymbolRatio)
      return { hard: false, note: `ellipses per word ${f2(s.ellipses / s.tokens)}` };
  }
  if (!codeLike && s.tokens >= cfg.gopherMinWords) {
    const mean = s.tokenChars / s.tokens;
    if (mean < cfg.minMeanWordLength || mean > cfg.maxMeanWordLength)
      return {
        hard: false,
        note: `mean word length ${mean.toFixed(1)} ∉ [${cfg.minMeanWordLength}, ${cfg.maxMeanWordLength}]`,
      };
  }
  return null;
}
