/**
 * Domain errors: a literal `code`, the offending fields, and one place that turns them into text.
 * The HTTP edge maps codes to statuses (workers/http/errors.ts); the CLI prints `message`.
 */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthorized'
  | 'not_found'
  | 'conflict'
  | 'invalid_json'
  | 'invalid_record'
  | 'unknown_format'
  | 'record_too_large'
  | 'malformed_input'
  | 'payload_too_large'
  | 'too_many_shards'
  | 'dataset_empty'
  | 'unknown_scorer'
  | 'unknown_embedder'
  | 'unknown_strategy'
  | 'unknown_stage'
  | 'output_missing'
  | 'job_failed'
  | 'reference_missing'
  | 'input_changed'
  | 'unknown_provider'
  | 'provider_not_allowed'
  | 'request_budget_exhausted'
  | 'unsupported'
  | 'provider_error'
  | 'dim_mismatch'
  | 'internal';

export interface ErrorFields {
  /** What was wrong, in words; prefixed with `path` when one is given. */
  detail?: string;
  /** Where: a record field (`output`), a byte offset, a line. */
  path?: string;
  details?: unknown;
  cause?: unknown;
}

const TITLES: Record<ErrorCode, string> = {
  bad_request: 'bad request',
  validation_failed: 'validation failed',
  unauthorized: 'missing or wrong bearer token',
  not_found: 'not found',
  conflict: 'conflict',
  invalid_json: 'not valid JSON',
  invalid_record: 'record does not match its format',
  unknown_format: 'record format not recognized',
  record_too_large: 'record too large',
  malformed_input: 'input is malformed',
  payload_too_large: 'the request body is over a limit',
  too_many_shards: 'the dataset cuts into more shards than a job may have',
  dataset_empty: 'dataset has no data',
  unknown_scorer: 'unknown scorer',
  unknown_embedder: 'unknown embedder',
  unknown_strategy: 'unknown strategy',
  unknown_stage: 'unknown stage',
  output_missing: 'an output file is incomplete',
  job_failed: 'job failed',
  reference_missing: 'reference dataset not found',
  input_changed: 'an input object changed while the job read it',
  unknown_provider: 'unknown model provider',
  provider_not_allowed: 'the operator does not allow this model endpoint',
  request_budget_exhausted: 'the job spent its model request budget',
  unsupported: 'not supported by this provider',
  provider_error: 'the model endpoint failed',
  dim_mismatch: 'vectors have the wrong dimension',
  internal: 'internal error',
};

export function errorMessage(code: ErrorCode, fields: ErrorFields = {}): string {
  const where = fields.path ? `${fields.path}: ` : '';
  return fields.detail ? `${where}${fields.detail}` : `${where}${TITLES[code]}`;
}

export class WinnowError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly details?: unknown;

  constructor(code: ErrorCode, fields: ErrorFields = {}) {
    super(errorMessage(code, fields), fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'WinnowError';
    this.code = code;
    this.path = fields.path;
    this.details = fields.details;
  }
}

export function isWinnowError(e: unknown): e is WinnowError {
  return e instanceof WinnowError;
}

/**
 * One problem found while validating input (a request body, a recipe, a scorer's config): a code
 * (zod's issue code, or ours: `unknown_scorer`, `unknown_embedder`, `unknown_provider`, `conflict`, …),
 * where (`scorers[1].config.minWords`), and what is wrong. Every validation error lists these in `details`.
 */
export interface Issue {
  code: string;
  path: string;
  message: string;
}

/** A path as text: `scorers[1].config.minWords`, under `prefix` when one is given. */
export function pathText(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** A zod error's issues, with their paths under `prefix`. */
export function zodIssues(
  error: { issues: readonly { code: string; path: readonly PropertyKey[]; message: string }[] },
  prefix = '',
): Issue[] {
  return error.issues.map((i) => ({ code: i.code, path: pathText(i.path, prefix), message: i.message }));
}

/** Issues named in an error's text; `details` lists every one. */
const TEXT_ISSUES = 5;

/**
 * The one text for a list of issues: `path: message; path: message (and 3 more)`, after
 * `what is invalid: ` when `what` is given (null: the paths say where).
 */
export function issuesText(what: string | null, issues: readonly Issue[]): string {
  const head = what === null ? '' : `${what} is invalid`;
  if (issues.length === 0) return head || 'invalid';
  const shown = issues.slice(0, TEXT_ISSUES).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > TEXT_ISSUES ? ` (and ${issues.length - TEXT_ISSUES} more)` : '';
  return `${head ? `${head}: ` : ''}${shown.join('; ')}${more}`;
}

/** The `validation_failed` error for `issues`, every one in `details`. */
export function validationError(what: string | null, issues: readonly Issue[]): WinnowError {
  return new WinnowError('validation_failed', { detail: issuesText(what, issues), details: issues });
}

/** A `validation_failed` error's issues (empty for any other error). */
export function issuesOf(e: unknown): Issue[] {
  if (!isWinnowError(e) || e.code !== 'validation_failed' || !Array.isArray(e.details)) return [];
  return e.details as Issue[];
}
