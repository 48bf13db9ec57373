import { sha256 } from '../formats/sha256.ts';

const encoder = new TextEncoder();

export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** The first `chars` hex digits of SHA-256 over a string or bytes. */
export function shortHash(data: string | Uint8Array, chars = 16): string {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return hex(sha256(bytes).subarray(0, Math.ceil(chars / 2))).slice(0, chars);
}
