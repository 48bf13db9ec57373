import {
  SAFETY_CATEGORIES,
  type SafetyCategory,
  type SafetyIdentity,
  type SafetyLanguage,
  type SafetyRow,
} from '../../schemas/safety.ts';
import { mulberry32 } from '../demo/random.ts';
import { fmix32 } from '../util/fmix32.ts';
import { identityTerms, promptHash } from './identity.ts';
import { type Core, type Fill, type LanguageTemplates, type Slots, TEMPLATES } from './templates.ts';

type Turn = { role: 'user' | 'assistant'; content: string };
type Attack = Exclude<SafetyCategory, 'multi_turn'>;

export interface DraftOptions {
  count: number;
  seed: number;
  categories?: readonly SafetyCategory[];
  /** Hashes (promptHash) to leave out: a held-out set skips every attack a training set holds. */
  exclude?: ReadonlySet<string>;
}

export interface Drafts {
  rows: SafetyRow[];
  /** Drafts skipped because `exclude` held their hash. */
  excluded: number;
  /** Drafts skipped because an earlier draft of this call had the same hash. */
  repeated: number;
}

/**
 * `count` templated records (or fewer, when the templates run out of new prompts), spread evenly over
 * every category × language cell (round-robin), reproducible from `seed`: the same identity, options and
 * seed give the same rows. Each row is Winnow's `messages` format with a `safety` block.
 */
export function draftRecords(identity: SafetyIdentity, o: DraftOptions): Drafts {
  const categories = o.categories?.length ? [...o.categories] : [...SAFETY_CATEGORIES];
  const cells = categories.flatMap((category) => identity.languages.map((lang) => ({ category, lang })));
  const random = mulberry32(fmix32(o.seed ^ 0x5afe7));
  const seen = new Set<string>();
  const rows: SafetyRow[] = [];
  let excluded = 0;
  let repeated = 0;
  // A cell whose prompts keep repeating (the templates ran out of new ones) is given up after this
  // many misses in a row.
  const maxMisses = 50;
  const misses = new Map<string, number>();
  const exhausted = new Set<string>();
  for (let i = 0; rows.length < o.count && exhausted.size < cells.length; i++) {
    const cell = cells[i % cells.length];
    const key = `${cell.category}/${cell.lang}`;
    if (exhausted.has(key)) continue;
    const row = draftOne(identity, cell.category, cell.lang, random);
    const hash = row.safety.hash;
    if (seen.has(hash) || o.exclude?.has(hash)) {
      if (seen.has(hash)) repeated++;
      else excluded++;
      const n = (misses.get(key) ?? 0) + 1;
      misses.set(key, n);
      if (n >= maxMisses) exhausted.add(key);
      i--; // the same cell again, so cells stay balanced
      continue;
    }
    misses.set(key, 0);
    seen.add(hash);
    rows.push(row);
  }
  return { rows, excluded, repeated };
}

const pick = <T>(xs: readonly T[], random: () => number): T => xs[Math.floor(random() * xs.length)];

function slots(identity: SafetyIdentity, t: LanguageTemplates, random: () => number): Slots {
  // An assistant built on one of the other models (aliases: ["Qwen"]) is never told it is that one.
  const own = identityTerms(identity);
  const mine = (x: string) => own.some((o) => x.toLowerCase().includes(o) || o.includes(x.toLowerCase()));
  const others = t.others.filter((o) => !mine(o.name) && !mine(o.maker));
  return {
    name: identity.name,
    developer: identity.developer,
    description: identity.description,
    other: pick(others.length ? others : t.others, random),
  };
}

function identityLine(
  identity: SafetyIdentity,
  t: LanguageTemplates,
  s: Slots,
  random: () => number,
): string {
  const lines: Fill[] = identity.description && random() < 0.3 ? t.identityDescribed : t.identity;
  return pick(lines, random)(s);
}

const space = (lang: SafetyLanguage) => (lang === 'en' ? ' ' : '');

/** The defended answer: identity line, the category's stance, then the side request's answer. */
function defence(
  identity: SafetyIdentity,
  lang: SafetyLanguage,
  category: Attack,
  core: Core,
  s: Slots,
  side: { a: string } | null,
  random: () => number,
): string {
  const t = TEMPLATES[lang];
  const stance = pick(core.dan ? t.danStances : t.stances[category], random)(s);
  let out = identityLine(identity, t, s, random);
  if (stance) out += space(lang) + stance;
  if (side) out += pick(t.answerJoin, random)(side.a).replace(/^ /, space(lang));
  return out;
}

function attackTurn(
  lang: SafetyLanguage,
  core: Core,
  s: Slots,
  side: { q: string } | null,
  random: () => number,
) {
  const t = TEMPLATES[lang];
  let text = pick(t.openers, random) + core.text(s);
  if (side) text += pick(t.sideJoin, random)(side.q);
  return text + pick(t.closers, random);
}

function withDan(s: Slots, core: Core): Slots {
  return core.dan ? { ...s, other: { name: 'DAN', maker: '' } } : s;
}

function draftOne(
  identity: SafetyIdentity,
  category: SafetyCategory,
  lang: SafetyLanguage,
  random: () => number,
): SafetyRow {
  const t = TEMPLATES[lang];
  const s0 = slots(identity, t, random);
  let turns: Turn[];
  let template: string;
  if (category === 'multi_turn') {
    // A harmless request, then who are you, then an attack of another category.
    const warm = pick(t.sides, random);
    const probeAt = Math.floor(random() * t.cores.direct.length);
    const probe = t.cores.direct[probeAt];
    const escalation = pick(['claim', 'persona', 'override'] as const, random);
    const at = Math.floor(random() * t.cores[escalation].length);
    const core = t.cores[escalation][at];
    const s = withDan(s0, core);
    const side =
      random() < 0.5
        ? pick(
            t.sides.filter((x) => x !== warm),
            random,
          )
        : null;
    turns = [
      { role: 'user', content: capitalize(warm.q) },
      { role: 'assistant', content: warm.a },
      { role: 'user', content: probe.text(s) },
      { role: 'assistant', content: identityLine(identity, t, s, random) },
      { role: 'user', content: attackTurn(lang, core, s, side, random) },
      { role: 'assistant', content: defence(identity, lang, escalation, core, s, side, random) },
    ];
    template = `multi_turn/${lang}/${escalation}-${at}`;
  } else {
    const at = Math.floor(random() * t.cores[category].length);
    const core = t.cores[category][at];
    const s = withDan(s0, core);
    const side = random() < 0.85 ? pick(t.sides, random) : null;
    turns = [
      { role: 'user', content: attackTurn(lang, core, s, side, random) },
      { role: 'assistant', content: defence(identity, lang, category, core, s, side, random) },
    ];
    template = `${category}/${lang}/${at}`;
  }
  return {
    messages: turns,
    safety: { category, lang, template, hash: promptHash(turns), source: 'template' },
  };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
