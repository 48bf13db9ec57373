import type { Turn } from '../../../schemas/record.ts';
import type { ScoreRow, Scorer } from '../types.ts';
import { type Claim, findClaims } from './claims.ts';
import { type IdentityConfig, IdentityConfigSchema } from './config.ts';
import { HAN_NAMES, LATIN_NAMES } from './names.ts';
import { EN_BOILERPLATE, EN_CLAIMS, EN_OTHER_CLAIMS } from './patterns-en.ts';
import { ZH_BOILERPLATE, ZH_CLAIMS, ZH_OTHER_CLAIMS } from './patterns-zh.ts';
import { override, probe } from './prompts.ts';

/**
 * Cheap gates: an answer with none of these cannot hold a claim or boilerplate. Latin terms are matched
 * at word starts (fast to reject); the Han gate runs only when the answer has a Han character.
 */
const LATIN_GATE = new RegExp(
  `\\b(?:${LATIN_NAMES}|language model|ai\\b|llm\\b|artificial intelligence|chatbot|assistant|computer program|machine learning model|(?:created|developed|trained|built|made) by)`,
  'i',
);
const HAN_CHAR = /[\u4e00-\u9fff]/;
const HAN_GATE = new RegExp(`${HAN_NAMES}|我|本模型|该模型|作为`);
const PROMPT_GATE =
  /\b(?:ignore|disregard|forget|override|bypass|from now|you are now|you're now|you will now|no longer|pretend|act as|role-?play|your|yourself|are you|you(?:'re|’re| are)|admit|confess|confirm|character|persona|instructions|system message|as dan\b|do anything|dan\b|(?:dan|jailbreak(?:ed)?|developer|god) mode|system prompt|above|(?:initial|hidden|original|secret) (?:prompt|instructions)|who (?:made|created|built|developed|trained|designed|programmed|owns|wrote|invented|are|am i)|what (?:model|llm|ai|language model|version|kind of|are you)|which (?:company|model|llm|organization|team|ai))|["“'‘]\s*(?:i am|i'm|i’m)\b/i;
const HAN_PROMPT_GATE = /你|您|忽略|忽视|无视|忘|抛弃|丢掉|扮演|假装|越狱|开发者|系统|提示|指令/;
const CLAIMS = [...EN_CLAIMS, ...ZH_CLAIMS];
const OTHER_CLAIMS = [...EN_OTHER_CLAIMS, ...ZH_OTHER_CLAIMS];

function join(turns: readonly Turn[], role: Turn['role']): string {
  let out: string | null = null;
  for (const t of turns) if (t.role === role) out = out === null ? t.content : `${out}\n\n${t.content}`;
  return out ?? '';
}

/** Lowercased target names; a claim naming one of them (or named by one) is the assistant's own. */
function targetTerms(c: IdentityConfig): string[] {
  return [c.name, c.developer, ...c.aliases].filter((x): x is string => !!x).map((x) => x.toLowerCase());
}
function isTarget(claim: Claim, terms: readonly string[]): boolean {
  const n = claim.name.toLowerCase();
  return terms.some((t) => n === t || n.includes(t) || t.includes(n));
}

/** Scores one record: see `identityScorer`. */
export function scoreIdentity(
  turns: readonly Turn[],
  cfg: IdentityConfig,
  terms: readonly string[],
): ScoreRow {
  const answer = join(turns, 'assistant');
  const prompt = join(turns, 'user');
  const flags: string[] = [];
  const notes: string[] = [];
  let score = 0;
  let attack = 0;
  if (PROMPT_GATE.test(prompt) || (HAN_CHAR.test(prompt) && HAN_PROMPT_GATE.test(prompt))) {
    const o = override(prompt);
    if (o) {
      attack = 1;
      score = cfg.overrideScore;
      flags.push('identity_override');
      notes.push(`override: "${o.trim()}"`);
    } else {
      const p = probe(prompt);
      if (p) {
        score = cfg.probeScore;
        flags.push('identity_probe');
        notes.push(`probe: "${p.trim()}"`);
      }
    }
  }
  if (LATIN_GATE.test(answer) || (HAN_CHAR.test(answer) && HAN_GATE.test(answer))) {
    const claims = findClaims(answer, CLAIMS);
    const others = findClaims(answer, OTHER_CLAIMS);
    const own = [...claims, ...others].filter((c) => isTarget(c, terms));
    const foreign = claims.filter((c) => !isTarget(c, terms));
    const unknown = others.filter((c) => !isTarget(c, terms) && !claims.some((k) => overlaps(k, c)));
    for (const c of [...foreign, ...unknown]) {
      const s = c.quoted ? cfg.quotedScore : c.known ? cfg.claimScore : cfg.otherClaimScore;
      score = Math.max(score, s);
      const flag = `${c.quoted ? 'identity_quote' : 'identity_claim'}:${c.who}`;
      if (!flags.includes(flag)) flags.push(flag);
      notes.push(`"${c.phrase.slice(0, 80)}"${c.quoted ? ' (quoted)' : ''}`);
    }
    const b = EN_BOILERPLATE.exec(answer) ?? ZH_BOILERPLATE.exec(answer);
    if (b) {
      const span = { index: b.index, end: b.index + b[0].length };
      // Part of a claim already counted, or of the target's own self-description: not boilerplate.
      if (
        ![...foreign, ...unknown, ...own].some((c) => overlaps(c, span)) &&
        !isQuotedSpan(answer, span.index) &&
        !namesTarget(answer, span, terms)
      ) {
        score = Math.max(score, cfg.boilerplateScore);
        flags.push('ai_boilerplate');
        notes.push(`"${b[0].trim()}"`);
      }
    }
  }
  const row: ScoreRow = { scores: { identity: score, identity_attack: attack } };
  if (flags.length) {
    row.flags = flags;
    row.note = notes.join('; ');
  }
  return row;
}

function overlaps(a: { index: number; end: number }, b: { index: number; end: number }): boolean {
  return a.index < b.end && b.index < a.end;
}
const SENTENCE_END = /[.!?。！？\n]/;
/**
 * Does the sentence holding `span` name the target ("I am an AI assistant called Aria, developed by
 * Acme", "作为一个人工智能助手，我是Aria")? Then the generic self-reference is the target's own.
 */
function namesTarget(text: string, span: { index: number; end: number }, terms: readonly string[]): boolean {
  if (terms.length === 0) return false;
  let from = span.index;
  while (from > 0 && !SENTENCE_END.test(text[from - 1])) from--;
  let to = span.end;
  while (to < text.length && !SENTENCE_END.test(text[to])) to++;
  const sentence = text.slice(from, to).toLowerCase();
  return terms.some((t) => sentence.includes(t));
}
function isQuotedSpan(text: string, i: number): boolean {
  const para = Math.max(text.lastIndexOf('\n', i), 0);
  let q = 0;
  for (let j = text.indexOf('"', para); j >= 0 && j < i; j = text.indexOf('"', j + 1)) q++;
  return q % 2 === 1;
}

/**
 * Identity contamination and identity attacks (English and Chinese). `identity` ∈ [0, 1] is the
 * likelihood that the record teaches a foreign identity: a first-person claim to be another model or
 * to be made by another vendor ≈ 0.95, an unknown name that is not the target 0.8, generic "As an AI
 * language model" boilerplate 0.6, a claim in quotes or reported speech 0.4, an override prompt with a
 * clean answer 0.35, an identity question 0.2, data about AI 0. `identity_attack` = 1 for prompts that
 * try to override or extract the identity or system prompt.
 */
export const identityScorer: Scorer<IdentityConfig> = {
  id: 'identity',
  version: 2,
  description:
    'Identity contamination (claims to be another model or vendor, "As an AI language model" boilerplate) and identity override/extraction prompts, EN and ZH.',
  kind: 'offline',
  config: IdentityConfigSchema,
  outputs: ['identity', 'identity_attack'],
  score(batch, config) {
    const terms = targetTerms(config);
    return batch.map((r) => scoreIdentity(r.turns, config, terms));
  },
};
