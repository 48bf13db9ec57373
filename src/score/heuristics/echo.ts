import { hashWords } from './char-class.ts';
import { add, has, reset } from './gram-table.ts';
import type { Scan } from './scan.ts';

/**
 * Does the answer echo the prompt? The instruction is the last user turn's text before its first blank
 * line (Alpaca records are built as instruction + "\n\n" + input). Hard: the answer's word sequence equals the
 * instruction's or the whole user turn's, or both share ≥ `echoFrac` of their word 3-grams each way
 * (answers that restate the question and add the answer fall well below). Soft: the answer is mostly a
 * copy of the whole user turn, input included (a context passage returned as the answer).
 */
export interface Echo {
  hard: boolean;
  why: string;
}

let buf = new Int32Array(4096);

function gramKey(h: Int32Array, i: number): number {
  return Math.imul(Math.imul(h[i], 31) ^ h[i + 1], 31) ^ h[i + 2];
}

/** Fraction of a's word 3-grams found among b's. */
function within(a: Int32Array, aFrom: number, na: number, b: Int32Array, bFrom: number, nb: number): number {
  reset(nb);
  for (let i = bFrom; i + 2 < bFrom + nb; i++) add(gramKey(b, i), i);
  let hit = 0;
  for (let i = aFrom; i + 2 < aFrom + na; i++) if (has(gramKey(a, i))) hit++;
  return hit / Math.max(1, na - 2);
}

/** Both fractions when the first reaches `min`, else [first, 0]. */
function overlap(
  a: Int32Array,
  aFrom: number,
  na: number,
  b: Int32Array,
  bFrom: number,
  nb: number,
  min: number,
): [number, number] {
  const ab = within(a, aFrom, na, b, bFrom, nb);
  return ab < min ? [ab, 0] : [ab, within(b, bFrom, nb, a, aFrom, na)];
}

function same(a: Int32Array, na: number, b: Int32Array, bFrom: number, nb: number): boolean {
  if (na !== nb) return false;
  for (let i = 0; i < na; i++) if (a[i] !== b[bFrom + i]) return false;
  return true;
}

export function echo(answer: string, s: Scan, user: string, echoFrac: number, copyFrac: number): Echo | null {
  if (user.length === 0 || s.words === 0) return null;
  const para = user.indexOf('\n\n');
  const qLen = para < 0 ? user.length : para;
  const aLen = answer.length;
  // Sharing ≥ 90 % of 3-grams both ways needs similar lengths; most answers are far longer or shorter.
  const checkQ = aLen >= 0.7 * qLen - 5 && aLen <= 1.4 * qLen + 5;
  const checkU = para >= 0 && aLen >= 0.7 * user.length - 5 && aLen <= 1.4 * user.length + 5;
  if (!checkQ && !checkU) return null;
  if (buf.length < user.length + 1) buf = new Int32Array(user.length * 2);
  const nq = hashWords(user, buf, 0, qLen);
  const nu = para < 0 ? 0 : hashWords(user, buf.subarray(nq));
  const a = s.hash;
  if (checkQ) {
    if (same(a, s.words, buf, 0, nq)) return { hard: true, why: 'answer = instruction' };
    if (s.words >= 3 && nq >= 3) {
      const [aq, qa] = overlap(a, 0, s.words, buf, 0, nq, echoFrac);
      if (aq >= echoFrac && qa >= echoFrac)
        return { hard: true, why: `3-gram overlap ${aq.toFixed(2)}/${qa.toFixed(2)} ≥ ${echoFrac}` };
    }
  }
  if (checkU && nu > 0) {
    if (same(a, s.words, buf, nq, nu)) return { hard: true, why: 'answer = prompt' };
    if (s.words >= 3) {
      const [au, ua] = overlap(a, 0, s.words, buf, nq, nu, copyFrac);
      if (au >= copyFrac && ua >= copyFrac)
        return { hard: false, why: `copies the prompt ${au.toFixed(2)}/${ua.toFixed(2)} ≥ ${copyFrac}` };
    }
  }
  return null;
}
