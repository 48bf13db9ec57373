import type { Turn } from '../../schemas/record.ts';
import { sha256 } from './sha256.ts';

const encoder = new TextEncoder();

const digest = (text: string) => sha256(encoder.encode(text));

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Trim both ends and collapse internal whitespace runs to one space. */
export function canonicalContent(content: string): string {
  return content.trim().replace(/\s+/g, ' ');
}

/**
 * 32 hex chars: the first 128 bits of SHA-256 over the turns' roles and canonical contents, so copies
 * that differ only in whitespace hash equal.
 */
export function contentHash(turns: Turn[]): string {
  const canonical = JSON.stringify(turns.map((t) => [t.role, canonicalContent(t.content)]));
  return hex(digest(canonical).subarray(0, 16));
}

/** 16 hex chars of SHA-256(`part:offset:hash`): stable across runs of the same input. */
export function recordId(part: number, offset: number, hash: string): string {
  return hex(digest(`${part}:${offset}:${hash}`).subarray(0, 8));
}
