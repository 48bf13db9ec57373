import { describe, expect, it } from 'vitest';
import { detectFormat, normalizeRecord } from '../../../src/formats/index.ts';

const err = (text: string, format: Parameters<typeof normalizeRecord>[1] = 'auto') => {
  const r = normalizeRecord(text, format);
  if (r.ok) throw new Error(`expected an error for ${text}`);
  return r.error;
};

describe('normalizeRecord: formats', () => {
  it('alpaca: instruction + input as the user turn, output as the assistant turn', () => {
    const rec = { instruction: 'Translate', input: 'bonjour', output: 'hello', extra: 1 };
    expect(normalizeRecord(JSON.stringify(rec), 'auto')).toEqual({
      ok: true,
      format: 'alpaca',
      turns: [
        { role: 'user', content: 'Translate\n\nbonjour' },
        { role: 'assistant', content: 'hello' },
      ],
      record: rec,
    });
    const noInput = normalizeRecord('{"instruction":"Say hi","input":"  ","output":""}', 'alpaca');
    expect(noInput).toMatchObject({
      ok: true,
      turns: [
        { role: 'user', content: 'Say hi' },
        { role: 'assistant', content: '' },
      ],
    });
  });

  it('sharegpt: maps every speaker name to a role', () => {
    const conversations = [
      { from: 'system', value: 'be brief' },
      { from: 'human', value: 'a' },
      { from: 'gpt', value: 'b' },
      { from: 'user', value: 'c' },
      { from: 'chatgpt', value: 'd' },
      { from: 'bing', value: 'e' },
      { from: 'bard', value: 'f' },
      { from: 'assistant', value: 'g' },
    ];
    const r = normalizeRecord(JSON.stringify({ conversations, id: 'x' }), 'auto');
    expect(r.ok && r.format).toBe('sharegpt');
    expect(r.ok && r.turns.map((t) => `${t.role}:${t.content}`)).toEqual([
      'system:be brief',
      'user:a',
      'assistant:b',
      'user:c',
      'assistant:d',
      'assistant:e',
      'assistant:f',
      'assistant:g',
    ]);
  });

  it('messages (openai): roles and contents as given', () => {
    const messages = [
      { role: 'system', content: 's' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a', name: 'bot' },
    ];
    const r = normalizeRecord(JSON.stringify({ messages }), 'messages');
    expect(r).toEqual({
      ok: true,
      format: 'messages',
      turns: messages.map(({ role, content }) => ({ role, content })),
      record: { messages },
    });
  });

  it('auto-detects by keys, messages first, then conversations, then instruction+output', () => {
    expect(detectFormat({ messages: [], conversations: [], instruction: 'x', output: 'y' })).toBe('messages');
    expect(detectFormat({ conversations: 1, instruction: 'x', output: 'y' })).toBe('sharegpt');
    expect(detectFormat({ instruction: 'x', output: 'y' })).toBe('alpaca');
    expect(detectFormat({ instruction: 'x' })).toBeNull();
    expect(detectFormat([{ instruction: 'x', output: 'y' }])).toBeNull();
    expect(detectFormat(null)).toBeNull();
  });
});

describe('normalizeRecord: errors', () => {
  it('invalid_json carries the parser message', () => {
    const e = err('{"a": }');
    expect(e.code).toBe('invalid_json');
    expect(e.message).toMatch(/^not valid JSON: ./);
    expect(err('{"instruction":"x","output":"y",}').code).toBe('invalid_json');
  });

  it('invalid_record when the value is not an object', () => {
    expect(err('[{"instruction":"x","output":"y"}]')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "record is an array, expected an object",
      }
    `);
    expect(err('"text"').message).toMatchInlineSnapshot(`"record is a string, expected an object"`);
    expect(err('null').message).toMatchInlineSnapshot(`"record is null, expected an object"`);
    expect(err('42').message).toMatchInlineSnapshot(`"record is a number, expected an object"`);
  });

  it('unknown_format lists the keys the record has', () => {
    expect(err('{"prompt":"p","completion":"c"}')).toMatchInlineSnapshot(`
      {
        "code": "unknown_format",
        "message": "record has none of the keys of a known format: instruction+output (alpaca), conversations (sharegpt), messages (openai); it has: prompt, completion",
      }
    `);
    expect(err('{"instruction":"x","response":"y"}').message).toMatchInlineSnapshot(
      `"record has none of the keys of a known format: instruction+output (alpaca), conversations (sharegpt), messages (openai); it has: instruction, response (alpaca needs both instruction and output)"`,
    );
    expect(err('{}').message).toMatchInlineSnapshot(
      `"record has none of the keys of a known format: instruction+output (alpaca), conversations (sharegpt), messages (openai); it has no keys"`,
    );
    const many = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`key_${i}${'z'.repeat(i === 0 ? 50 : 0)}`, i]),
    );
    expect(err(JSON.stringify(many)).message).toMatchInlineSnapshot(
      `"record has none of the keys of a known format: instruction+output (alpaca), conversations (sharegpt), messages (openai); it has: key_0zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz…, key_1, key_2, key_3, key_4, key_5, key_6, key_7, … (12 keys)"`,
    );
  });

  it('invalid_record names the field and why, from the schema', () => {
    expect(err('{"instruction":"x","output":3}')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "output: expected string, received number",
        "path": "output",
      }
    `);
    expect(err('{"instruction":"","output":"y"}')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "instruction is empty",
        "path": "instruction",
      }
    `);
    expect(err('{"instruction":"x"}', 'alpaca')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "output: missing (expected string)",
        "path": "output",
      }
    `);
    expect(
      err('{"conversations":[{"from":"human","value":"a"},{"from":"gpt"},{"from":"robot","value":"c"}]}'),
    ).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "conversations[1].value: missing (expected string); conversations[2].from: expected one of "system"|"human"|"user"|"gpt"|"assistant"|"chatgpt"|"bing"|"bard", received "robot"",
        "path": "conversations[1].value",
      }
    `);
    expect(err('{"messages":"hi"}')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "messages: expected array, received string",
        "path": "messages",
      }
    `);
    expect(err('{"messages":[]}')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "messages is empty",
        "path": "messages",
      }
    `);
    const five = JSON.stringify({
      messages: Array.from({ length: 5 }, () => ({ role: 'robot', content: 1 })),
    });
    expect(err(five).message).toMatchInlineSnapshot(
      `"messages[0].role: expected one of "system"|"user"|"assistant", received "robot"; messages[0].content: expected string, received number; messages[1].role: expected one of "system"|"user"|"assistant", received "robot" (and 7 more)"`,
    );
  });

  it('whitespace-only instruction is invalid; empty output is valid', () => {
    expect(err('{"instruction":"  ","output":"y"}')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "instruction is blank",
        "path": "instruction",
      }
    `);
    expect(normalizeRecord('{"instruction":"x","output":"   "}', 'auto').ok).toBe(true);
  });

  it('a conversation needs a user and an assistant turn with content', () => {
    expect(
      err('{"conversations":[{"from":"system","value":"s"},{"from":"gpt","value":"hi"}]}'),
    ).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "conversations: no user turn with non-empty content (needs at least one user and one assistant turn)",
        "path": "conversations",
      }
    `);
    expect(
      err('{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"  "}]}'),
    ).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "messages: no assistant turn with non-empty content (needs at least one user and one assistant turn)",
        "path": "messages",
      }
    `);
    expect(err('{"messages":[{"role":"system","content":"s"}]}').message).toMatchInlineSnapshot(
      `"messages: no user or assistant turn with non-empty content (needs at least one user and one assistant turn)"`,
    );
  });

  it('a forced format validates against that schema only, and says what the record looks like', () => {
    const sharegpt = '{"conversations":[{"from":"human","value":"a"},{"from":"gpt","value":"b"}]}';
    expect(normalizeRecord(sharegpt, 'sharegpt').ok).toBe(true);
    expect(err(sharegpt, 'alpaca')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "instruction: missing (expected string); output: missing (expected string); the record looks like sharegpt",
        "path": "instruction",
      }
    `);
    expect(err('{"instruction":"x","output":"y"}', 'messages')).toMatchInlineSnapshot(`
      {
        "code": "invalid_record",
        "message": "messages: missing (expected array); the record looks like alpaca",
        "path": "messages",
      }
    `);
    // Forced alpaca on a record without the keys at all is a schema error, not unknown_format.
    expect(err('{"prompt":"p"}', 'alpaca').code).toBe('invalid_record');
  });

  it('half an alpaca record names the field it lacks', () => {
    expect(err('{"instruction":"x","response":"y"}').path).toBe('output');
    expect(err('{"output":"y"}')).toMatchObject({ code: 'unknown_format', path: 'instruction' });
    expect(err('{"prompt":"p","completion":"c"}').path).toBeUndefined();
  });

  it('record_too_deep past 128 levels, naming the top-level field, without overflowing the stack', () => {
    const nest = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const row = (meta: string) => `{"instruction":"a","output":"b","meta":${meta}}`;
    // The record is level 1, `meta` level 2: 127 levels of arrays in it make 128.
    expect(normalizeRecord(row(nest(127)), 'auto').ok).toBe(true);
    expect(err(row(nest(128)))).toMatchInlineSnapshot(`
      {
        "code": "record_too_deep",
        "message": "meta: nested more than 128 levels deep (objects and arrays), over the limit for a record",
        "path": "meta",
      }
    `);
    // Far deeper than any recursive JSON writer's stack: still one record's error.
    expect(err(row(nest(200_000))).code).toBe('record_too_deep');
    expect(err(`{"messages":[${'{"x":'.repeat(300)}1${'}'.repeat(300)}]}`).path).toBe('messages');
  });
});
