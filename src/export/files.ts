import type { ExportFormat } from '../../schemas/recipe.ts';

/**
 * Which trainer files a job's export formats write, and the two configuration files that point
 * trainers at them (docs/exports.md). The configurations depend only on the formats, never on the data.
 */

/** Files of rows, written as one part per shard (or pairs partition). */
export const ROW_FILES = [
  'train.jsonl',
  'train.alpaca.jsonl',
  'train.sharegpt.jsonl',
  'train.ranking.jsonl',
] as const;
export type RowFile = (typeof ROW_FILES)[number];

/** Configuration files, one object each. */
export const CONFIG_FILES = ['dataset_info.json', 'axolotl.yaml'] as const;
export type ConfigFile = (typeof CONFIG_FILES)[number];

export interface ExportPlan {
  rows: RowFile[];
  configs: ConfigFile[];
}

/**
 * The files `formats` write, in a fixed order. `trl`, `llamafactory` and `axolotl` share
 * `train.jsonl`, except that LLaMA-Factory reads a pairs job's pairs from `train.ranking.jsonl`.
 * A pairs job writes no alpaca or sharegpt file (validation refuses them).
 */
export function exportPlan(formats: readonly ExportFormat[], pairs: boolean): ExportPlan {
  const has = (f: ExportFormat) => formats.includes(f);
  const rows: RowFile[] = [];
  if (has('trl') || has('axolotl') || (has('llamafactory') && !pairs)) rows.push('train.jsonl');
  if (!pairs && has('alpaca')) rows.push('train.alpaca.jsonl');
  if (!pairs && has('sharegpt')) rows.push('train.sharegpt.jsonl');
  if (pairs && has('llamafactory')) rows.push('train.ranking.jsonl');
  const configs: ConfigFile[] = [];
  if (has('llamafactory')) configs.push('dataset_info.json');
  if (has('axolotl')) configs.push('axolotl.yaml');
  return { rows, configs };
}

/** LLaMA-Factory's tags for a `{role, content}` message list (its "OpenAI format", read as sharegpt). */
const MESSAGE_TAGS = {
  role_tag: 'role',
  content_tag: 'content',
  user_tag: 'user',
  assistant_tag: 'assistant',
  system_tag: 'system',
};

/** Each row file's LLaMA-Factory dataset description, under the dataset name it is given. */
const DATASET_INFO: Record<RowFile, [name: string, entry: Record<string, unknown>]> = {
  'train.jsonl': [
    'winnow',
    {
      file_name: 'train.jsonl',
      formatting: 'sharegpt',
      columns: { messages: 'messages' },
      tags: MESSAGE_TAGS,
    },
  ],
  'train.alpaca.jsonl': [
    'winnow_alpaca',
    {
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
  ],
  'train.sharegpt.jsonl': [
    'winnow_sharegpt',
    {
      file_name: 'train.sharegpt.jsonl',
      formatting: 'sharegpt',
      columns: { messages: 'conversations', system: 'system' },
    },
  ],
  'train.ranking.jsonl': [
    'winnow_ranking',
    {
      file_name: 'train.ranking.jsonl',
      formatting: 'sharegpt',
      ranking: true,
      columns: { messages: 'messages', chosen: 'chosen', rejected: 'rejected' },
      tags: MESSAGE_TAGS,
    },
  ],
};

/**
 * `dataset_info.json`: a LLaMA-Factory dataset description for every row file written (a pairs job's
 * is `train.ranking.jsonl`, ranking). Put the files and it in one directory, and train with
 * `dataset_dir: <it>` and `dataset: winnow` (or `winnow_alpaca`, `winnow_sharegpt`, `winnow_ranking`).
 */
export function datasetInfo(rows: readonly RowFile[], pairs: boolean): string {
  const files = pairs ? rows.filter((f) => f === 'train.ranking.jsonl') : rows;
  const info = Object.fromEntries(files.map((f) => DATASET_INFO[f]));
  return `${JSON.stringify(info, null, 2)}\n`;
}

const ROLES = ['      system: [system]', '      user: [user]', '      assistant: [assistant]'];

/**
 * `axolotl.yaml`: a `datasets:` entry for `train.jsonl`, to merge into an axolotl config: chat_template
 * over `messages` for a selection, chat_template.default (DPO) over `prompt`, `chosen` and `rejected`
 * for a pairs job. `path` is relative to the directory axolotl runs in.
 */
export function axolotlYaml(pairs: boolean): string {
  const head = [
    '# Winnow export for axolotl (docs/exports.md): merge into your axolotl config.',
    '# `path` is relative to the directory axolotl runs in.',
  ];
  const common = ['  - path: train.jsonl', '    ds_type: json', '    split: train'];
  const mapping = [
    '    message_property_mappings:',
    '      role: role',
    '      content: content',
    '    roles:',
    ...ROLES,
  ];
  const lines = pairs
    ? [
        ...head,
        'rl: dpo',
        'datasets:',
        ...common,
        '    type: chat_template.default',
        '    field_messages: prompt',
        '    field_chosen: chosen',
        '    field_rejected: rejected',
        ...mapping,
      ]
    : [
        ...head,
        'datasets:',
        ...common,
        '    type: chat_template',
        '    field_messages: messages',
        ...mapping,
      ];
  return `${lines.join('\n')}\n`;
}
