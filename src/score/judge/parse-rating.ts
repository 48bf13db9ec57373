/**
 * Reads a rating out of free judge text. Labelled forms win over bare numbers, and within a tier the
 * earliest match wins:
 *   1. labelled: `Score: 4`, `**Rating:** 3/5`, `Score (0-5): 4`, `score of 4`, `Score:\n4`,
 *      `I would rate this response a 4`, `rated it 3 out of 5`;
 *   2. bare: `4/5`, `4 out of 5`, or a first line that is (or starts with) the number (`4`, `**4**`,
 *      `4 - good`), as AlpaGasus' prompt asks for.
 * `x/y` and `x out of y` with y ≠ max are rescaled to the scale (`8/10` on 0–5 → 4); then the value is
 * clamped to [min, max].
 */
export interface ParsedRating {
  /** On the scale, clamped. */
  value: number;
  /** The number as written. */
  raw: number;
  /** Code-unit range of the number in the text. */
  start: number;
  end: number;
  /** The line holding the rating, to drop it from the explanation. */
  lineStart: number;
  lineEnd: number;
  /** True when the text gave its own scale (`8/10`) and the value was rescaled. */
  rescaled: boolean;
}

const H = '[^\\S\\n]'; // horizontal whitespace
const NUM = '(\\d+(?:\\.\\d+)?)';
const OUT_OF = `(?:${H}*(?:\\/|out${H}+of)${H}*(\\d+))?`;

const LABELLED = [
  new RegExp(
    `\\b(?:score|rating|grade)\\b(?:${H}*\\([^)\\n]*\\))?(?:${H}*(?:is|of|was|=|:|：|-|–))*\\s*[*_]*${H}*${NUM}${OUT_OF}`,
    'di',
  ),
  new RegExp(
    `\\brat(?:e|ed|ing)${H}+(?:(?:it|this|that|the)${H}+(?:(?:response|answer)${H}+)?)?(?:(?:as|at|a|an)${H}+)?[*_]*${NUM}${OUT_OF}`,
    'di',
  ),
];
const BARE = [
  new RegExp(`${NUM}${H}*(?:\\/|out${H}+of)${H}*(\\d+)\\b`, 'di'),
  new RegExp(`^\\s*[*_#]*${H}*${NUM}(?=[*_]*${H}*(?:\\n|$)|[*_]*${H}*[-–:.)]${H})`, 'd'),
];

export function parseRating(text: string, min: number, max: number): ParsedRating | null {
  const m = earliest(text, LABELLED) ?? earliest(text, BARE);
  if (!m?.indices) return null;
  const raw = Number.parseFloat(m[1]);
  const den = m[2] === undefined ? 0 : Number.parseInt(m[2], 10);
  const rescaled = den > 0 && den !== max;
  const scaled = rescaled ? (raw * max) / den : raw;
  if (!Number.isFinite(scaled)) return null;
  const [start, end] = m.indices[1] ?? [m.index, m.index + m[1].length];
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nl = text.indexOf('\n', end);
  return {
    value: Math.min(max, Math.max(min, scaled)),
    raw,
    start,
    end,
    lineStart,
    lineEnd: nl === -1 ? text.length : nl,
    rescaled,
  };
}

function earliest(text: string, patterns: readonly RegExp[]): RegExpExecArray | null {
  let best: RegExpExecArray | null = null;
  for (const re of patterns) {
    const m = re.exec(text);
    if (m && (best === null || m.index < best.index)) best = m;
  }
  return best;
}

/** The judge's text without its rating line, on one line, cut to `max` characters. */
export function explanation(text: string, parsed: ParsedRating | null, max: number): string {
  const rest = parsed ? text.slice(0, parsed.lineStart) + text.slice(parsed.lineEnd) : text;
  const t = rest
    .replace(/^\s*(?:explanation|reason(?:ing)?|critique)\s*:\s*/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, Math.max(0, max - 1))}…` : t;
}
