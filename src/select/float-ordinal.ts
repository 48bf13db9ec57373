/**
 * Distance in representable doubles ("ulps") from `origin` to a value, for non-negative doubles.
 *
 * For non-negative IEEE-754 doubles the bit pattern read as an unsigned integer is monotone in the
 * value, so `ordinal(v) - ordinal(origin)` counts the doubles between them. The two 32-bit halves are
 * subtracted separately, so the distance is exact below 2^53 and correctly rounded (still monotone) above.
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;
const TWO_32 = 4294967296;

export function floatOrdinal(origin: number): (v: number) => number {
  f64[0] = origin + 0; // turns -0 into +0
  const hi0 = u32[HI];
  const lo0 = u32[LO];
  return (v: number): number => {
    f64[0] = v + 0;
    return (u32[HI] - hi0) * TWO_32 + (u32[LO] - lo0);
  };
}
