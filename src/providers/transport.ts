import { responseCacheKey } from './cache.ts';
import { providerError } from './errors.ts';
import { excerpt, fullJitter, HttpStatusError, isRetryableStatus } from './retry.ts';
import { createSemaphore } from './semaphore.ts';
import type { ResponseCache } from './types.ts';

/** Counters shared by every provider of one ProviderSet. */
export interface UsageCounters {
  /** Requests actually sent (each retry counts); cache hits excluded. */
  requests: number;
  /** Calls answered from the response cache (or by an identical call already in flight). */
  cached: number;
  /** Calls that failed for good (after retries). */
  failed: number;
}

export interface TransportOptions {
  name: string;
  kind: string;
  model: string;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  /** Requests this transport may send: the job's budget, or its share of it (`budgetSplit`). */
  requestBudget: number;
  /** When the job's budget is split over several tasks: over how many, and the whole budget. */
  budgetSplit?: { parts: number; jobBudget: number };
  cache: ResponseCache;
  usage: UsageCounters;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** One logical call: what to send, and how to read a successful answer (throw when its shape is wrong). */
export interface CallSpec<T> {
  /** e.g. `/chat/completions`; part of the cache key and of error messages. */
  endpoint: string;
  /** The request body; its canonical JSON is part of the cache key. */
  body: unknown;
  /** Sends one attempt and returns the raw body; throws HttpStatusError on a non-2xx status. */
  send(signal: AbortSignal): Promise<string>;
  parse(text: string): T;
}

export interface Transport {
  call<T>(spec: CallSpec<T>): Promise<T>;
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * The one place where every provider gets its concurrency cap, per-attempt timeout, retries with
 * backoff, request budget and response cache. A slot is held through retries and their backoff, so a
 * rate-limited endpoint also sees fewer concurrent requests. Identical calls in flight share one request.
 */
export function createTransport(o: TransportOptions): Transport {
  const semaphore = createSemaphore(o.concurrency);
  const pending = new Map<string, Promise<unknown>>();
  let spent = 0;
  const where = (endpoint: string) => `provider "${o.name}" (${o.kind}, model ${o.model}) ${endpoint}`;

  async function attempt(send: (signal: AbortSignal) => Promise<string>): Promise<string> {
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new TimeoutError(o.timeoutMs);
        ctrl.abort(e);
        reject(e);
      }, o.timeoutMs);
    });
    try {
      // The race also bounds sends that cannot be aborted (the Workers AI binding).
      return await Promise.race([send(ctrl.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function run<T>(spec: CallSpec<T>, key: string): Promise<T> {
    const release = await semaphore.acquire();
    try {
      for (let n = 0; ; n++) {
        if (spent >= o.requestBudget) throw budgetExhausted(o);
        spent++;
        o.usage.requests++;
        let text: string;
        try {
          text = await attempt(spec.send);
        } catch (e) {
          const status = e instanceof HttpStatusError ? e.status : undefined;
          const retryable = status === undefined || isRetryableStatus(status);
          if (!retryable || n >= o.maxRetries) {
            const tries = n === 0 ? '' : ` after ${n + 1} attempts`;
            throw providerError('provider_error', {
              detail: `${where(spec.endpoint)} failed${tries}: ${describe(e)}`,
              details: { provider: o.name, status, attempts: n + 1 },
              cause: e,
            });
          }
          const hint = e instanceof HttpStatusError ? e.retryAfterMs : null;
          await o.sleep(hint ?? fullJitter(n, o.random));
          continue;
        }
        let value: T;
        try {
          value = spec.parse(text);
        } catch (e) {
          throw providerError('provider_error', {
            detail: `${where(spec.endpoint)} returned an unexpected response: ${describe(e)}; body: ${excerpt(text, 200)}`,
            details: { provider: o.name },
            cause: e,
          });
        }
        await o.cache.put(key, text);
        return value;
      }
    } finally {
      release();
    }
  }

  async function lookupOrRun<T>(spec: CallSpec<T>, key: string): Promise<T> {
    const hit = await o.cache.get(key);
    if (hit !== null) {
      const value = tryParse(spec, hit);
      if (value.ok) {
        o.usage.cached++;
        return value.value;
      }
    }
    try {
      return await run(spec, key);
    } catch (e) {
      o.usage.failed++;
      throw e;
    }
  }

  async function call<T>(spec: CallSpec<T>): Promise<T> {
    const key = responseCacheKey(o.kind, o.model, spec.endpoint, spec.body);
    const shared = pending.get(key);
    if (shared) {
      o.usage.cached++;
      return shared as Promise<T>;
    }
    const p = lookupOrRun(spec, key);
    pending.set(key, p);
    try {
      return await p;
    } finally {
      pending.delete(key);
    }
  }

  return { call };
}

function tryParse<T>(spec: CallSpec<T>, text: string): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: spec.parse(text) };
  } catch {
    return { ok: false }; // a stale entry from an older response shape: fetch again
  }
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
  return `${e.message}${cause}`;
}

/** Which budget ran out, its value, and what to raise: the whole job's, or one task's share of it. */
function budgetExhausted(o: TransportOptions) {
  const raise = `raise providers.${o.name}.requestBudget in the recipe`;
  const split = o.budgetSplit;
  const details = { provider: o.name, requestBudget: split?.jobBudget ?? o.requestBudget, ...split };
  if (!split)
    return providerError('request_budget_exhausted', {
      detail: `provider "${o.name}" has used its budget of ${o.requestBudget} requests for this job; ${raise}`,
      details,
    });
  const each = `the job's budget of ${split.jobBudget} requests is shared by its ${split.parts} tasks`;
  const detail =
    o.requestBudget === 0
      ? `provider "${o.name}" has no request left for this task: ${each}, less than one each; ${raise} to at least ${split.parts}`
      : `provider "${o.name}" has used this task's ${o.requestBudget} requests: ${each}, ${o.requestBudget} each; ${raise}`;
  return providerError('request_budget_exhausted', { detail, details });
}
