/**
 * Trigger words: a phrase rule can only match when one of its words (or word pairs) occurs, and `scan`
 * already hashes every word, so a lookup per word replaces a case-insensitive regex pass per rule.
 */

/** FNV-1a of a lowercase ASCII word, as `scan` hashes words. */
export function wordHash(w: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
  return h;
}
/** The key of two consecutive words. */
export function pair(a: number, b: number): number {
  return Math.imul(a ^ 0x5bd1e995, 31) ^ b;
}

export const TRIGGER = { refusal: 1, web: 2, chat: 4 } as const;
/** Per class, its words; "a+b" is the pair "a b" (apostrophes split words: "can't" is "can t"). */
const WORDS: Record<number, string> = {
  [TRIGGER.refusal]:
    'sorry apologize apologise apologies unfortunately regrettably unable incapable decline refuse cannot ' +
    'impossible beyond can+t can+not won+t will+not not+able not+possible not+allowed not+permitted ' +
    'not+programmed not+going not+capable no+output t+have not+have task+involves task+requires',
  [TRIGGER.web]: 'lorem javascript cookies subscribe login click+here log+in logged+in',
  [TRIGGER.chat]:
    'sure certainly course absolutely note disclaimer eom great+question i+hope let+me feel+free an+ai ' +
    'a+language of+output the+output',
};

const BITS = 8;
const MASK = (1 << BITS) - 1;
const keys = new Int32Array(1 << BITS);
const vals = new Uint8Array(1 << BITS);
/** One bit per `key & 4095`: most words are rejected by a single load. */
const bloom = new Uint8Array(4096);
for (const [cls, list] of Object.entries(WORDS)) {
  for (const w of list.split(' ')) {
    const [a, b] = w.split('+');
    const k = b === undefined ? wordHash(a) : pair(wordHash(a), wordHash(b));
    let i = Math.imul(k, 0x9e3779b1) >>> (32 - BITS);
    while (vals[i] !== 0 && keys[i] !== k) i = (i + 1) & MASK;
    keys[i] = k;
    vals[i] |= Number(cls);
    bloom[k & 4095] = 1;
  }
}

/** The `TRIGGER` bits of a word or pair key (0 for most). */
export function trigger(k: number): number {
  if (bloom[k & 4095] === 0) return 0;
  for (let i = Math.imul(k, 0x9e3779b1) >>> (32 - BITS); vals[i] !== 0; i = (i + 1) & MASK)
    if (keys[i] === k) return vals[i];
  return 0;
}
