import { describe, expect, it } from 'vitest';
import { LOCATE_JS } from '../../../src/console/locate.ts';

type Span = { start: number; end: number };
type Located =
  | { empty: true }
  | { value: unknown; spans: Map<string, Span> }
  | { error: { message: string; offset: number } };

// The text the page runs, run here.
const { locateJson, spanOfPath, lineColumn } = new Function(
  `${LOCATE_JS}; return { locateJson, spanOfPath, lineColumn };`,
)() as {
  locateJson: (text: string) => Located;
  spanOfPath: (spans: Map<string, Span>, path: string) => { span: Span; path: string } | null;
  lineColumn: (text: string, offset: number) => { line: number; column: number };
};

const RECIPE = `{
  "scorers": [
    { "id": "length" },
    { "id": "heuristics", "config": { "minWords": -1 } }
  ],
  "select": { "budget": "30%", "strategy": "topk" }
}`;

const located = (text: string) => {
  const r = locateJson(text);
  if (!('spans' in r)) throw new Error(`not parsed: ${JSON.stringify(r)}`);
  return r;
};

describe('locateJson, the recipe editor’s JSON reader', () => {
  it('reads what JSON.parse reads, to the same value', () => {
    for (const text of [
      RECIPE,
      '[]',
      ' {} ',
      '[1, -0.5, 2e3, 1E-2, true, false, null, "a\\"b\\\\c\\/\\n\\t\\u00e9\\ud83d\\ude00"]',
      '{"a": {"b": [[], [{}], {"c": [1, 2]}]}, "a": 2}',
      '{"__proto__": {"x": 1}, "constructor": 3}',
      '"just a string"',
    ]) {
      const r = located(text);
      expect(r.value).toEqual(JSON.parse(text));
      expect(Object.getPrototypeOf(r.value)).toBe(Object.getPrototypeOf(JSON.parse(text)));
    }
    expect(Object.keys(located('{"__proto__": 1}').value as object)).toEqual(['__proto__']);
  });

  it('records each value under the path the API names it by, a member from its key', () => {
    const { spans } = located(RECIPE);
    const at = (path: string) => {
      const s = spans.get(path)!;
      return RECIPE.slice(s.start, s.end);
    };
    expect(at('scorers[1].config.minWords')).toBe('"minWords": -1');
    expect(at('scorers[1]')).toBe('{ "id": "heuristics", "config": { "minWords": -1 } }');
    expect(at('select.budget')).toBe('"budget": "30%"');
    expect(at('')).toBe(RECIPE);
    expect(lineColumn(RECIPE, spans.get('scorers[1].config.minWords')!.start)).toEqual({
      line: 4,
      column: 39,
    });
    expect(lineColumn(RECIPE, spans.get('select.strategy')!.start)).toEqual({ line: 6, column: 32 });
  });

  it('finds a missing field at the nearest object that holds it', () => {
    const { spans } = located(RECIPE);
    expect(spanOfPath(spans, 'select.budget')?.path).toBe('select.budget');
    expect(spanOfPath(spans, 'select.dedup.threshold')?.path).toBe('select');
    expect(spanOfPath(spans, 'scorers[7].id')?.path).toBe('scorers');
    expect(spanOfPath(spans, 'cluster.k')?.path).toBe('');
    expect(spanOfPath(new Map(), 'x')).toBeNull();
  });

  it('gives a syntax error with its offset, and blank text as empty', () => {
    expect(locateJson(' \n\t')).toEqual({ empty: true });
    const cases: [string, string, number][] = [
      ['{"a": 1,\n "b" 2}', 'expected ":" after the key "b", found "2"', 14],
      ['{"a": [1, 2}', 'expected "," or "]" after an element, found "}"', 11],
      ['{"a": 1,}', 'expected a key in double quotes, found "}"', 8],
      ['{"a": tru}', 'unexpected "t"', 6],
      ['{"a": "x\ny"}', 'a control character inside a string (a line break needs \\n)', 8],
      ['{"a": "x', 'unterminated string', 6],
      ['{"a": 1} x', 'unexpected "x" after the JSON value', 9],
      ['{"a": -}', 'unexpected "-"', 6],
      ['{"a": "\\q"}', 'bad escape "\\\\q"', 7],
      ['{', 'expected a key in double quotes, found the end of the text', 1],
    ];
    for (const [text, message, offset] of cases) {
      expect(locateJson(text), text).toEqual({ error: { message, offset } });
      expect(() => JSON.parse(text), text).toThrow();
    }
    expect(lineColumn('{"a": 1,\n "b" 2}', 14)).toEqual({ line: 2, column: 6 });
  });
});
