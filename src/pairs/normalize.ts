import type { z } from 'zod';
import type { RecordError } from '../../schemas/output.ts';
import {
  type Pairs,
  ResponseRowSchema,
  ResponseSchema,
  ResponsesRowSchema,
  TrajectoryRowSchema,
} from '../../schemas/pairs.ts';
import type { InputFormat, PairFormat, ShardRecord, Turn } from '../../schemas/record.ts';
import {
  contentHash,
  depthError,
  detectPairFormat,
  formatIssues,
  formatPath,
  isPairFormat,
  isPlainObject,
} from '../formats/index.ts';
import { canonicalJson } from '../util/index.ts';
import { rolloutHash } from './keys.ts';
import { missingLogprobStep } from './trajectory-score.ts';

/** One member of a preference record: a response, or the rollout itself. */
export interface PairMember {
  /** Its place in the row: the response's index in `responses`, else 0. */
  sub: number;
  format: PairFormat;
  turns: Turn[];
  hash: string;
  record: unknown;
  pair: NonNullable<ShardRecord['pair']>;
}

export type PairNormalized =
  | { ok: true; members: PairMember[]; errors: { sub: number; error: RecordError; raw: string }[] }
  | { ok: false; error: RecordError };

const KNOWN = 'responses (responses rows), task + steps (rollouts), group + text (one row per response)';

const fail = (code: string, message: string, path?: string): PairNormalized => ({
  ok: false,
  error: path ? { code, message, path } : { code, message },
});

function schemaError(issues: readonly z.core.$ZodIssue[], value: unknown, prefix = ''): RecordError {
  const path = formatPath(issues[0]?.path ?? []);
  const full = prefix && path ? `${prefix}.${path}` : prefix || path;
  const message = formatIssues(issues, value);
  return full
    ? { code: 'invalid_record', message: prefix ? `${prefix}: ${message}` : message, path: full }
    : { code: 'invalid_record', message };
}

/**
 * Parse one preference record into its members. A responses row gives one member per response (a
 * bad response is an error of its own, the others stay); a response row or a rollout gives one.
 * Group and task keys follow `groupBy` (see PairsSchema).
 */
export function normalizePairRecord(
  text: string,
  format: InputFormat,
  groupBy: Pairs['groupBy'],
  /** The recipe's pairs config: with `trajectory.missingLogprob: "error"`, a rollout ranked by it must log every step. */
  pairs?: Pick<Pairs, 'score' | 'trajectory'>,
): PairNormalized {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail('invalid_json', `not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(value)) return fail('invalid_record', 'record is not an object');
  const deep = depthError(value);
  if (deep) return { ok: false, error: deep };
  const chosen = format === 'auto' ? detectPairFormat(value) : format;
  if (chosen === null || !isPairFormat(chosen)) {
    const keys = Object.keys(value).slice(0, 8).join(', ') || 'no keys';
    return fail('unknown_format', `a pairs recipe reads preference data: ${KNOWN}; the record has: ${keys}`);
  }
  if (chosen === 'trajectory') return trajectory(value, text, groupBy, pairs);
  return chosen === 'responses' ? responses(value, groupBy) : response(value, groupBy);
}

function promptTurns(row: { prompt?: string; messages?: { role: Turn['role']; content: string }[] }) {
  if (row.messages) {
    return {
      turns: row.messages.map((m) => ({ role: m.role, content: m.content })),
      style: 'messages' as const,
    };
  }
  return { turns: [{ role: 'user' as const, content: row.prompt as string }], style: 'text' as const };
}

function responseGroup(
  groupBy: Pairs['groupBy'],
  prompt: Turn[],
  given: unknown,
): { key: string } | { error: string } {
  if (groupBy === 'task' || groupBy === 'task+state')
    return { error: `groupBy "${groupBy}" groups rollouts; responses group by prompt or group` };
  if (groupBy === 'group' || (groupBy === 'auto' && given !== undefined)) {
    if (given === undefined) return { error: 'groupBy "group" needs a group key on every row' };
    return { key: String(given) };
  }
  return { key: contentHash(prompt) };
}

function responses(value: Record<string, unknown>, groupBy: Pairs['groupBy']): PairNormalized {
  const row = ResponsesRowSchema.safeParse(value);
  if (!row.success) return { ok: false, error: schemaError(row.error.issues, value) };
  const { turns: prompt, style } = promptTurns(row.data);
  const group = responseGroup(groupBy, prompt, row.data.group);
  if ('error' in group) return fail('invalid_record', group.error, 'group');
  const members: PairMember[] = [];
  const errors: { sub: number; error: RecordError; raw: string }[] = [];
  row.data.responses.forEach((r, sub) => {
    const parsed = ResponseSchema.safeParse(r);
    if (!parsed.success) {
      errors.push({
        sub,
        error: schemaError(parsed.error.issues, r, `responses[${sub}]`),
        raw: JSON.stringify(r),
      });
      return;
    }
    const turns = [...prompt, { role: 'assistant' as const, content: parsed.data.text }];
    members.push({
      sub,
      format: 'responses',
      turns,
      hash: contentHash(turns),
      record: parsed.data,
      pair: { group: group.key, task: group.key, sub, given: parsed.data.score, style },
    });
  });
  return { ok: true, members, errors };
}

function response(value: Record<string, unknown>, groupBy: Pairs['groupBy']): PairNormalized {
  const row = ResponseRowSchema.safeParse(value);
  if (!row.success) return { ok: false, error: schemaError(row.error.issues, value) };
  const { turns: prompt, style } = promptTurns(row.data);
  const group = responseGroup(groupBy, prompt, row.data.group);
  if ('error' in group) return fail('invalid_record', group.error, 'group');
  const turns = [...prompt, { role: 'assistant' as const, content: row.data.text }];
  const member: PairMember = {
    sub: 0,
    format: 'response',
    turns,
    hash: contentHash(turns),
    record: value,
    pair: { group: group.key, task: group.key, sub: 0, given: row.data.score, style },
  };
  return { ok: true, members: [member], errors: [] };
}

function trajectory(
  value: Record<string, unknown>,
  text: string,
  groupBy: Pairs['groupBy'],
  pairs?: Pick<Pairs, 'score' | 'trajectory'>,
): PairNormalized {
  const row = TrajectoryRowSchema.safeParse(value);
  if (!row.success) return { ok: false, error: schemaError(row.error.issues, value) };
  const byTrajectory = pairs && (pairs.score === 'trajectory' || pairs.score === 'auto');
  if (byTrajectory && pairs.trajectory.missingLogprob === 'error') {
    const at = missingLogprobStep(row.data);
    if (at >= 0)
      return fail(
        'missing_logprob',
        `steps[${at}] has no logprob, and pairs.trajectory.missingLogprob is "error": log every step's logprob, or set it to "floor" or "skip"`,
        `steps[${at}].logprob`,
      );
  }
  if (groupBy === 'prompt' || groupBy === 'group')
    return fail(
      'invalid_record',
      `groupBy "${groupBy}" groups responses; rollouts group by task or task+state`,
      'task',
    );
  const { task, initialState } = row.data;
  const withState = groupBy !== 'task' && initialState !== undefined;
  // `["task",{…}]`: unambiguous, so a task whose name looks like another's state never shares a group.
  const group = withState ? canonicalJson([task, initialState]) : task;
  // Scorers see the task as the prompt; the content hash covers the whole rollout, as given.
  const turns: Turn[] = [{ role: 'user', content: task }];
  const hash = rolloutHash(text);
  const member: PairMember = {
    sub: 0,
    format: 'trajectory',
    turns,
    hash,
    record: value,
    pair: { group, task, sub: 0, given: row.data.score, success: row.data.success },
  };
  return { ok: true, members: [member], errors: [] };
}
