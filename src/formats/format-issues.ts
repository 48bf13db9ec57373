import type { z } from 'zod';
import { pathText } from '../errors.ts';

const MAX_ISSUES = 3;

/** `conversations[2].from` from `['conversations', 2, 'from']`: the one path formatter (src/errors.ts). */
export const formatPath = (path: readonly PropertyKey[]): string => pathText(path);

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function describe(issue: z.core.$ZodIssue, input: unknown): string {
  const message = issue.message;
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
    return `missing (expected ${issue.expected})`;
  }
  if (issue.code === 'invalid_value') {
    return `${message.replace(/^Invalid option: /, '')}, received ${preview(valueAt(input, issue.path))}`;
  }
  return message.replace(/^Invalid input: /, '');
}

/** The first three zod issues as `path: what is wrong`, joined by "; ". */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const parts = issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = formatPath(issue.path);
    const text = describe(issue, input);
    // Custom messages such as "instruction is empty" already name the field.
    return path === '' || text.startsWith(path) ? text : `${path}: ${text}`;
  });
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  return parts.join('; ') + more;
}
