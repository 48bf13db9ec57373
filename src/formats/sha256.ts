/**
 * SHA-256 (FIPS 180-4), synchronous and platform-free. Hashing one short record through
 * `crypto.subtle` costs an async round trip per call (in Node, a thread-pool hop): for millions of
 * small records a plain loop is several times faster, and it gives the same digest.
 */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const H0 = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
// Working state, reused: int32 throughout, so V8 keeps every value an untagged 32-bit integer.
const W = new Int32Array(64);
const H = new Int32Array(8);

/** One 64-byte block of `p` at `off` into H. */
function compress(p: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15];
    const y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = H[0];
  let b = H[1];
  let c = H[2];
  let d = H[3];
  let e = H[4];
  let f = H[5];
  let g = H[6];
  let h = H[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0] + a) | 0;
  H[1] = (H[1] + b) | 0;
  H[2] = (H[2] + c) | 0;
  H[3] = (H[3] + d) | 0;
  H[4] = (H[4] + e) | 0;
  H[5] = (H[5] + f) | 0;
  H[6] = (H[6] + g) | 0;
  H[7] = (H[7] + h) | 0;
}

/** The digest of `data` in one call (short records: the fast path, no object per call). */
export function sha256(data: Uint8Array): Uint8Array {
  hashInto(data, data.byteLength);
  return digestBytes();
}

/**
 * The digest of the first `n` bytes of `data` as 8 big-endian words, in a buffer that the next call
 * overwrites (copy what you keep). No allocation: for millions of short records, where the digest's
 * bytes were a third of the cost.
 */
export function sha256Words(data: Uint8Array, n = data.byteLength): Int32Array {
  hashInto(data, n);
  return H;
}

function hashInto(data: Uint8Array, n: number): void {
  H.set(H0);
  // Whole blocks straight from the input; only the last one or two are copied to be padded.
  const full = n >> 6;
  for (let k = 0; k < full; k++) compress(data, k * 64);
  pad(data, full * 64, n - full * 64, n);
}

/** Padding blocks, reused (cleared before each use). */
const TAIL = new Uint8Array(128);

/** Pad into H the last `rest` bytes (< 64) of an `n`-byte message, which are `src` from `from`. */
function pad(src: Uint8Array, from: number, rest: number, n: number): void {
  const size = rest + 9 > 64 ? 128 : 64;
  TAIL.fill(0, 0, size);
  for (let i = 0; i < rest; i++) TAIL[i] = src[from + i];
  TAIL[rest] = 0x80;
  // The message's length in bits, big-endian over the last 8 bytes.
  const hi = Math.floor(n / 0x20000000);
  const lo = (n * 8) >>> 0;
  for (let i = 0; i < 4; i++) {
    TAIL[size - 8 + i] = (hi >>> (24 - 8 * i)) & 0xff;
    TAIL[size - 4 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
  compress(TAIL, 0);
  if (size === 128) compress(TAIL, 64);
}

/** H as 32 digest bytes. */
function digestBytes(): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = H[i];
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 0xff;
    out[i * 4 + 2] = (v >>> 8) & 0xff;
    out[i * 4 + 3] = v & 0xff;
  }
  return out;
}

/**
 * SHA-256 over data that arrives in pieces (an object read by ranges): `update` as often as needed,
 * then `digest` once. Gives the same digest as `sha256` of the pieces joined.
 */
export class Sha256 {
  private readonly state = new Int32Array(H0);
  /** Bytes of an unfinished block, carried to the next update. */
  private readonly block = new Uint8Array(64);
  private held = 0;
  private bytes = 0;

  update(data: Uint8Array): this {
    H.set(this.state);
    let at = 0;
    this.bytes += data.byteLength;
    if (this.held > 0) {
      const take = Math.min(64 - this.held, data.byteLength);
      this.block.set(data.subarray(0, take), this.held);
      this.held += take;
      at = take;
      if (this.held < 64) {
        this.state.set(H);
        return this;
      }
      compress(this.block, 0);
      this.held = 0;
    }
    for (; at + 64 <= data.byteLength; at += 64) compress(data, at);
    this.block.set(data.subarray(at));
    this.held = data.byteLength - at;
    this.state.set(H);
    return this;
  }

  digest(): Uint8Array {
    H.set(this.state);
    pad(this.block, 0, this.held, this.bytes);
    return digestBytes();
  }
}

/** SHA-256 over pieces, with the runtime's native hash when it streams one. */
interface StreamingSha256 {
  update(data: Uint8Array): Promise<void>;
  digest(): Promise<Uint8Array>;
}

/** workerd's non-standard `crypto.DigestStream` (a WritableStream whose `digest` settles on close). */
type DigestStreamClass = new (
  algorithm: string,
) => WritableStream<ArrayBufferView> & { digest: Promise<ArrayBuffer> };

/**
 * Native SHA-256 where the runtime streams it (workerd's `crypto.DigestStream`: 64 MiB hashed in 50–75 ms,
 * against 450–520 ms for the JavaScript `Sha256` there), the JavaScript one elsewhere (Node). Same digest.
 */
export function streamingSha256(): StreamingSha256 {
  const Native = (globalThis as { crypto?: { DigestStream?: DigestStreamClass } }).crypto?.DigestStream;
  if (!Native) {
    const h = new Sha256();
    return {
      update: async (data) => {
        h.update(data);
      },
      digest: async () => h.digest(),
    };
  }
  const stream = new Native('SHA-256');
  const writer = stream.getWriter();
  return {
    update: (data) => writer.write(data),
    async digest() {
      await writer.close();
      return new Uint8Array(await stream.digest);
    },
  };
}
