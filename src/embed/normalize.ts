/**
 * Scales each row of a row-major `n × dim` matrix to unit L2 norm, in place (the sum of squares in
 * float64). An all-zero row stays zero. Returns `data`.
 */
export function l2NormalizeRows(data: Float32Array, dim: number): Float32Array {
  for (let at = 0; at < data.length; at += dim) {
    let ss = 0;
    for (let j = at; j < at + dim; j++) ss += data[j] * data[j];
    if (ss === 0) continue;
    const inv = 1 / Math.sqrt(ss);
    for (let j = at; j < at + dim; j++) data[j] *= inv;
  }
  return data;
}

/** A unit-norm copy of one vector (a zero vector stays zero). */
export function unitRow(v: Float32Array): Float32Array {
  return l2NormalizeRows(new Float32Array(v), v.length);
}
