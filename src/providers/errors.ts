import { type ErrorCode, type ErrorFields, WinnowError } from '../errors.ts';

/**
 * The provider layer's error codes: `unknown_provider`; `request_budget_exhausted`; `unsupported`
 * (the provider cannot do this, or the deployment lacks what it needs: the AI binding);
 * `provider_error` (the endpoint answered with an error or an unexpected body, or not at all after
 * retries, or cannot be called: a missing API-key secret).
 */
export type ProviderErrorCode = Extract<
  ErrorCode,
  'unknown_provider' | 'request_budget_exhausted' | 'unsupported' | 'provider_error'
>;

export function providerError(code: ProviderErrorCode, fields: ErrorFields = {}): WinnowError {
  return new WinnowError(code, fields);
}

export function isProviderError(e: unknown, code?: ProviderErrorCode): e is WinnowError {
  return e instanceof WinnowError && (code === undefined || e.code === code);
}

/**
 * True when the endpoint refused this one request (HTTP 400, 413 or 422: too long, malformed), so a
 * scorer may flag the record and go on; everything else (budget, outage, bad config) should fail the job.
 */
export function isRequestRejected(e: unknown): boolean {
  if (!isProviderError(e, 'provider_error')) return false;
  const status = (e.details as { status?: number } | undefined)?.status;
  return status === 400 || status === 413 || status === 422;
}
