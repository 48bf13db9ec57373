/** Text for an HTML text node or a quoted attribute value: the five characters HTML gives meaning to, escaped. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A number as the page shows it: integers with thousands separators, others to `digits` significant places. */
export function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toString();
}

/** A fraction as a percentage with one decimal. */
export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–';
}

/** A string usable as an element id (reasons such as `filter:heuristics` hold a colon). */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-');
}
