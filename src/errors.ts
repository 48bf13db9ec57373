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
  | 'dataset_empty'
  | 'unknown_scorer'
  | 'unknown_strategy'
  | 'job_failed'
  | 'reference_missing'
  | 'unknown_provider'
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
  dataset_empty: 'dataset has no data',
  unknown_scorer: 'unknown scorer',
  unknown_strategy: 'unknown strategy',
  job_failed: 'job failed',
  reference_missing: 'reference dataset not found',
  unknown_provider: 'unknown model provider',
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
