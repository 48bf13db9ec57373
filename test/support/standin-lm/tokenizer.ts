/**
 * The stand-in's tokenizer: runs of letters/digits, runs of whitespace, and every other character on
 * its own. Tokens concatenate back to the text exactly; offsets are in code points (as vLLM's
 * `text_offset`, which counts Python characters).
 */
const TOKEN = /[\p{L}\p{N}]+|\s+|[^\p{L}\p{N}\s]/gu;

export interface Tokenized {
  tokens: string[];
  offsets: number[];
}

export function tokenize(text: string): Tokenized {
  const tokens: string[] = [];
  const offsets: number[] = [];
  let chars = 0;
  for (const m of text.matchAll(TOKEN)) {
    tokens.push(m[0]);
    offsets.push(chars);
    chars += [...m[0]].length;
  }
  return { tokens, offsets };
}
