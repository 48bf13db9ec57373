/**
 * Lowercased words: runs of letters, marks and digits (so Devanagari or Arabic words with combining
 * marks stay whole); each Han, Hiragana or Katakana character is a word of its own, since those scripts
 * do not separate words with spaces and a whole sentence would otherwise count as one word.
 */
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
const WORD = new RegExp(`[${CJK}]|(?:(?![${CJK}])[\\p{L}\\p{M}\\p{N}])+`, 'gu');

export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}
