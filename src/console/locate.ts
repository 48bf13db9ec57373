/**
 * The recipe editor's JSON reader, as browser JavaScript: it parses like `JSON.parse` and records
 * where every value sits in the text, under the path the API names it by (`scorers[1].config.minWords`,
 * as src/errors.ts `pathText` writes it), so an issue the API returns can be shown at its line. A
 * syntax error comes back with its offset instead of a thrown exception.
 *
 * It is a string because it runs in the page: test/unit/console/locate.test.ts runs this same text.
 *
 * - `locateJson(text)` → `{ empty: true }` for blank text; `{ value, spans }` (spans: Map of path →
 *   `{ start, end }`, a member's span starting at its key); or `{ error: { message, offset } }`.
 * - `spanOfPath(spans, path)` → `{ span, path }` of the path, else of its nearest ancestor present
 *   (an issue about a missing field is shown at the object that lacks it); null when spans is empty.
 * - `lineColumn(text, offset)` → `{ line, column }`, both 1-based.
 */
export const LOCATE_JS = String.raw`
function locateJson(text) {
  let i = 0;
  const spans = new Map();
  const fail = (message, at) => {
    throw { located: true, message, offset: at === undefined ? i : at };
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const shown = (c) => (c === undefined ? 'the end of the text' : JSON.stringify(c));
  const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

  function string() {
    const open = i;
    i++;
    let out = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('unterminated string', open);
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape: four hex digits expected', i);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
          out += ESCAPES[e];
          i += 2;
        } else fail('bad escape ' + shown('\\' + (e ?? '')), i);
      } else if (c < ' ') fail('a control character inside a string (a line break needs \\n)');
      else {
        out += c;
        i++;
      }
    }
  }

  function literal(word, v) {
    if (text.startsWith(word, i)) {
      i += word.length;
      return v;
    }
    return fail('unexpected ' + shown(text[i]));
  }

  function value(path, from) {
    ws();
    const begin = i;
    const c = text[i];
    let v;
    if (c === '{') {
      i++;
      v = {};
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          if (text[i] !== '"') fail('expected a key in double quotes, found ' + shown(text[i]));
          const keyAt = i;
          const key = string();
          ws();
          if (text[i] !== ':') fail('expected ":" after the key "' + key + '", found ' + shown(text[i]));
          i++;
          const child = value(path === '' ? key : path + '.' + key, keyAt);
          Object.defineProperty(v, key, { value: child, enumerable: true, writable: true, configurable: true });
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === '}') {
            i++;
            break;
          }
          fail('expected "," or "}" after a member, found ' + shown(text[i]));
        }
    } else if (c === '[') {
      i++;
      v = [];
      ws();
      if (text[i] === ']') i++;
      else
        for (;;) {
          v.push(value(path + '[' + v.length + ']'));
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ']') {
            i++;
            break;
          }
          fail('expected "," or "]" after an element, found ' + shown(text[i]));
        }
    } else if (c === '"') v = string();
    else if (c === 't') v = literal('true', true);
    else if (c === 'f') v = literal('false', false);
    else if (c === 'n') v = literal('null', null);
    else {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m || m[0] === '' || m[0] === '-') fail('unexpected ' + shown(c));
      i += m[0].length;
      v = Number(m[0]);
    }
    spans.set(path, { start: from === undefined ? begin : from, end: i });
    return v;
  }

  try {
    ws();
    if (i === text.length) return { empty: true };
    const v = value('');
    ws();
    if (i < text.length) fail('unexpected ' + shown(text[i]) + ' after the JSON value');
    return { value: v, spans };
  } catch (e) {
    if (e && e.located) return { error: { message: e.message, offset: e.offset } };
    throw e;
  }
}

function spanOfPath(spans, path) {
  let p = path;
  for (;;) {
    if (spans.has(p)) return { span: spans.get(p), path: p };
    if (p === '') return null;
    const m = /^(.*?)(?:\.[^.[\]]*|\[[0-9]+\])$/.exec(p);
    p = m ? m[1] : '';
  }
}

function lineColumn(text, offset) {
  let line = 1;
  let last = -1;
  for (let k = 0; k < offset && k < text.length; k++)
    if (text[k] === '\n') {
      line++;
      last = k;
    }
  return { line, column: offset - last };
}
`;
