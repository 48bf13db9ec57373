/**
 * Bytes of `text` in UTF-8, as TextEncoder writes it (a lone surrogate as U+FFFD, 3 bytes), without
 * encoding it: what a part's size is when the string itself goes to the store.
 */
export function utf8Length(text: string): number {
  const n = text.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      // A pair: 4 bytes for 2 units. A high surrogate without its low one: U+FFFD, 3 bytes.
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 2;
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}
