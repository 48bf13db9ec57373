/** Backoff for retries: exponential with full jitter (AWS architecture blog), unless the server says when. */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 30_000;
/** A `Retry-After` longer than this is cut to it: a job should fail rather than sleep for an hour. */
export const RETRY_AFTER_MAX_MS = 120_000;

/** Delay before retry number `attempt` (0 = first retry): uniform in [0, min(max, base·2^attempt)). */
export function fullJitter(attempt: number, random: () => number): number {
  return random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(RETRY_AFTER_MAX_MS, Number.parseFloat(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, at - now));
}

/** 429 (rate limited), 408 (request timeout) and every 5xx are worth retrying; other statuses are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** A non-2xx HTTP answer, as thrown by a provider's `send` for the transport to classify. */
export class HttpStatusError extends Error {
  readonly status: number;
  readonly body: string;
  readonly retryAfterMs: number | null;

  constructor(status: number, body: string, retryAfterMs: number | null) {
    super(`HTTP ${status}: ${excerpt(body)}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The first `max` characters of a body on one line, for error messages. */
export function excerpt(text: string, max = 300): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t || '(empty body)';
}
