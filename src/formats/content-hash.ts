import type { Turn } from '../../schemas/record.ts';

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

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
export async function contentHash(turns: Turn[]): Promise<string> {
  const canonical = JSON.stringify(turns.map((t) => [t.role, canonicalContent(t.content)]));
  return hex((await sha256(canonical)).subarray(0, 16));
}

/** 16 hex chars of SHA-256(`part:offset:hash`): stable across runs of the same input. */
export async function recordId(part: number, offset: number, hash: string): Promise<string> {
  return hex((await sha256(`${part}:${offset}:${hash}`)).subarray(0, 8));
}
