import { describe, expect, it } from 'vitest';
import type { InputFormat } from '../../../schemas/record.ts';
import {
  alpacaRow,
  axolotlYaml,
  checkPair,
  datasetInfo,
  exportPlan,
  rankingRow,
  rowLine,
  sharegptRow,
  trainConversation,
  trlPairRow,
  trlRow,
} from '../../../src/export/index.ts';
import { normalizeRecord } from '../../../src/formats/normalize.ts';

/** A raw record as ingest normalises it: the converters' input. */
function source(record: unknown, format: InputFormat = 'auto') {
  const n = normalizeRecord(JSON.stringify(record), format);
  if (!n.ok) throw new Error(n.error.message);
  return { format: n.format, turns: n.turns, record: n.record };
}

/** Every row of one record, or why it is left out. */
function rows(record: unknown, weight?: number) {
  const src = source(record);
  const c = trainConversation(src);
  if (!c.ok) return c;
  const conv = c.conversation;
  return {
    trl: trlRow(conv, weight),
    alpaca: alpacaRow(conv, src, weight),
    sharegpt: sharegptRow(conv, weight),
  };
}

describe('row converters', () => {
  it('alpaca: instruction and input stay apart in the alpaca row, joined in the user turn elsewhere', () => {
    expect(rows({ instruction: 'Translate', input: 'Bonjour', output: 'Hello' })).toEqual({
      trl: {
        messages: [
          { role: 'user', content: 'Translate\n\nBonjour' },
          { role: 'assistant', content: 'Hello' },
        ],
      },
      alpaca: { instruction: 'Translate', input: 'Bonjour', output: 'Hello', system: '', history: [] },
      sharegpt: {
        conversations: [
          { from: 'human', value: 'Translate\n\nBonjour' },
          { from: 'gpt', value: 'Hello' },
        ],
        system: '',
      },
    });
  });

  it('alpaca: a system field is the system prompt; a blank input or system is none; other fields are dropped', () => {
    const r = rows(
      { instruction: 'Sum 2+2', input: '  ', output: '4', system: 'You are terse.', id: 7 },
      1.5,
    );
    expect(r).toEqual({
      trl: {
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Sum 2+2' },
          { role: 'assistant', content: '4' },
        ],
        weight: 1.5,
      },
      alpaca: {
        instruction: 'Sum 2+2',
        input: '',
        output: '4',
        system: 'You are terse.',
        history: [],
        weight: 1.5,
      },
      sharegpt: {
        conversations: [
          { from: 'human', value: 'Sum 2+2' },
          { from: 'gpt', value: '4' },
        ],
        system: 'You are terse.',
        weight: 1.5,
      },
    });
    expect(rows({ instruction: 'Q', output: 'A', system: ' ' })).toMatchObject({ alpaca: { system: '' } });
    expect(rows({ instruction: 'Q', output: 'A', system: 3 })).toMatchObject({ alpaca: { system: '' } });
  });

  it('sharegpt: roles are normalised, a leading system turn is the system prompt, every turn is kept', () => {
    const r = rows({
      conversations: [
        { from: 'system', value: 'Be kind.' },
        { from: 'human', value: 'Hi' },
        { from: 'chatgpt', value: 'Hello!' },
        { from: 'user', value: 'And then?' },
        { from: 'bard', value: 'Then more.' },
        { from: 'human', value: 'Last?' },
        { from: 'gpt', value: 'Yes.' },
      ],
    });
    expect(r).toEqual({
      trl: {
        messages: [
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'And then?' },
          { role: 'assistant', content: 'Then more.' },
          { role: 'user', content: 'Last?' },
          { role: 'assistant', content: 'Yes.' },
        ],
      },
      alpaca: {
        instruction: 'Last?',
        input: '',
        output: 'Yes.',
        system: 'Be kind.',
        history: [
          ['Hi', 'Hello!'],
          ['And then?', 'Then more.'],
        ],
      },
      sharegpt: {
        conversations: [
          { from: 'human', value: 'Hi' },
          { from: 'gpt', value: 'Hello!' },
          { from: 'human', value: 'And then?' },
          { from: 'gpt', value: 'Then more.' },
          { from: 'human', value: 'Last?' },
          { from: 'gpt', value: 'Yes.' },
        ],
        system: 'Be kind.',
      },
    });
  });

  it('messages: extra message fields are dropped, blank turns kept, role then content', () => {
    const r = rows({
      messages: [
        { content: 'Why?', role: 'user', name: 'ann' },
        { role: 'assistant', content: '', weight: 0 },
        { role: 'user', content: 'Why, really?' },
        { role: 'assistant', content: 'Because.' },
      ],
    });
    expect(r).toMatchObject({
      trl: {
        messages: [
          { role: 'user', content: 'Why?' },
          { role: 'assistant', content: '' },
          { role: 'user', content: 'Why, really?' },
          { role: 'assistant', content: 'Because.' },
        ],
      },
      alpaca: { instruction: 'Why, really?', output: 'Because.', history: [['Why?', '']] },
    });
    expect(rowLine((r as { trl: object }).trl)).toBe(
      '{"messages":[{"role":"user","content":"Why?"},{"role":"assistant","content":""},{"role":"user","content":"Why, really?"},{"role":"assistant","content":"Because."}]}',
    );
  });

  it('a record trainers do not accept is left out with its reason', () => {
    const m = (...roles: string[]) => ({
      messages: roles.map((role, i) => ({ role, content: `turn ${i}` })),
    });
    expect(rows(m('user', 'user', 'assistant'))).toEqual({
      ok: false,
      reason: 'not_alternating',
      message: "turn 1 is the user's, expected the assistant's",
    });
    expect(rows(m('assistant', 'user', 'assistant'))).toMatchObject({ reason: 'not_alternating' });
    expect(rows(m('system', 'assistant', 'user', 'assistant'))).toMatchObject({
      reason: 'not_alternating',
      message: "turn 1 is the assistant's, expected the user's",
    });
    expect(rows(m('user', 'assistant', 'user'))).toEqual({
      ok: false,
      reason: 'ends_with_user',
      message: "the last turn is the user's: no answer to train on",
    });
    expect(rows(m('system', 'system', 'user', 'assistant'))).toEqual({
      ok: false,
      reason: 'misplaced_system',
      message: 'turn 1 is a system turn: a system prompt can only be the first turn',
    });
    expect(rows(m('user', 'assistant', 'system'))).toMatchObject({ reason: 'misplaced_system' });
  });

  it('writes weights as floats, whole ones with a fraction, and refuses a weight that is not finite', () => {
    const c = trainConversation(source({ instruction: 'Q', output: 'A' }));
    if (!c.ok) throw new Error('expected a conversation');
    expect(rowLine(trlRow(c.conversation, 1))).toBe(
      '{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}],"weight":1.0}',
    );
    expect(rowLine(trlRow(c.conversation, 0.753112))).toMatch(/,"weight":0\.753112}$/);
    expect(rowLine(trlRow(c.conversation, 2e-7))).toMatch(/,"weight":2e-7}$/);
    expect(rowLine({ weight: 2 })).toBe('{"weight":2.0}');
    expect(
      JSON.parse(rowLine(alpacaRow(c.conversation, source({ instruction: 'Q', output: 'A' }), 2))),
    ).toEqual({
      instruction: 'Q',
      input: '',
      output: 'A',
      system: '',
      history: [],
      weight: 2,
    });
    expect(() => rowLine(trlRow(c.conversation, Number.NaN))).toThrow(
      new RangeError('weight must be a finite number, got NaN'),
    );
  });
});

describe('pair converters', () => {
  it('a prompt string is one user turn; answers become one assistant message each', () => {
    const p = checkPair({
      prompt: 'Why is the sky blue?',
      chosen: 'Rayleigh scattering.',
      rejected: 'It is not.',
    });
    if (!p.ok) throw new Error(p.message);
    expect(trlPairRow(p.prompt, p.chosen, p.rejected)).toEqual({
      prompt: [{ role: 'user', content: 'Why is the sky blue?' }],
      chosen: [{ role: 'assistant', content: 'Rayleigh scattering.' }],
      rejected: [{ role: 'assistant', content: 'It is not.' }],
    });
    expect(rankingRow(p.prompt, p.chosen, p.rejected)).toEqual({
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      chosen: { role: 'assistant', content: 'Rayleigh scattering.' },
      rejected: { role: 'assistant', content: 'It is not.' },
    });
  });

  it('a message-list prompt keeps its system prompt and earlier turns, and must end with the user', () => {
    const prompt = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Why?' },
    ];
    const answer = (content: string) => [{ role: 'assistant', content }];
    const p = checkPair({ prompt, chosen: answer('Because.'), rejected: answer('No.') });
    if (!p.ok) throw new Error(p.message);
    expect(trlPairRow(p.prompt, p.chosen, p.rejected)).toEqual({
      prompt,
      chosen: answer('Because.'),
      rejected: answer('No.'),
    });
    expect(checkPair({ prompt: prompt.slice(0, 3), chosen: 'a', rejected: 'b' })).toEqual({
      ok: false,
      reason: 'prompt_ends_with_assistant',
      message: "the prompt's last turn is the assistant's: nothing to answer",
    });
  });

  it('a rollout pair is not chat', () => {
    expect(checkPair({ prompt: 'pick-cube', chosen: { steps: [] }, rejected: { steps: [] } })).toEqual({
      ok: false,
      reason: 'not_chat',
      message: 'chosen and rejected are not text (a rollout pair)',
    });
    expect(checkPair({ prompt: { task: 'x' }, chosen: 'a', rejected: 'b' })).toMatchObject({
      reason: 'not_chat',
    });
  });
});

describe('export files', () => {
  it('plans the files each set of formats writes', () => {
    expect(exportPlan(['trl'], false)).toEqual({ rows: ['train.jsonl'], configs: [] });
    expect(exportPlan(['llamafactory'], false)).toEqual({
      rows: ['train.jsonl'],
      configs: ['dataset_info.json'],
    });
    expect(exportPlan(['axolotl', 'sharegpt', 'alpaca'], false)).toEqual({
      rows: ['train.jsonl', 'train.alpaca.jsonl', 'train.sharegpt.jsonl'],
      configs: ['axolotl.yaml'],
    });
    expect(exportPlan(['alpaca'], false)).toEqual({ rows: ['train.alpaca.jsonl'], configs: [] });
    expect(exportPlan(['llamafactory'], true)).toEqual({
      rows: ['train.ranking.jsonl'],
      configs: ['dataset_info.json'],
    });
    expect(exportPlan(['llamafactory', 'axolotl'], true)).toEqual({
      rows: ['train.jsonl', 'train.ranking.jsonl'],
      configs: ['dataset_info.json', 'axolotl.yaml'],
    });
  });

  it("dataset_info.json describes each file in LLaMA-Factory's keys", () => {
    expect(JSON.parse(datasetInfo(['train.jsonl', 'train.alpaca.jsonl'], false))).toEqual({
      winnow: {
        file_name: 'train.jsonl',
        formatting: 'sharegpt',
        columns: { messages: 'messages' },
        tags: {
          role_tag: 'role',
          content_tag: 'content',
          user_tag: 'user',
          assistant_tag: 'assistant',
          system_tag: 'system',
        },
      },
      winnow_alpaca: {
        file_name: 'train.alpaca.jsonl',
        formatting: 'alpaca',
        columns: {
          prompt: 'instruction',
          query: 'input',
          response: 'output',
          system: 'system',
          history: 'history',
        },
      },
    });
    expect(JSON.parse(datasetInfo(['train.jsonl', 'train.ranking.jsonl'], true))).toEqual({
      winnow_ranking: {
        file_name: 'train.ranking.jsonl',
        formatting: 'sharegpt',
        ranking: true,
        columns: { messages: 'messages', chosen: 'chosen', rejected: 'rejected' },
        tags: {
          role_tag: 'role',
          content_tag: 'content',
          user_tag: 'user',
          assistant_tag: 'assistant',
          system_tag: 'system',
        },
      },
    });
  });

  it('axolotl.yaml: chat_template for a selection, chat_template.default (DPO) for pairs', () => {
    expect(axolotlYaml(false)).toMatchInlineSnapshot(`
      "# Winnow export for axolotl (docs/exports.md): merge into your axolotl config.
      # \`path\` is relative to the directory axolotl runs in.
      datasets:
        - path: train.jsonl
          ds_type: json
          split: train
          type: chat_template
          field_messages: messages
          message_property_mappings:
            role: role
            content: content
          roles:
            system: [system]
            user: [user]
            assistant: [assistant]
      "
    `);
    expect(axolotlYaml(true)).toContain(
      'rl: dpo\ndatasets:\n  - path: train.jsonl\n    ds_type: json\n    split: train\n    type: chat_template.default\n    field_messages: prompt\n    field_chosen: chosen\n    field_rejected: rejected\n',
    );
  });
});
