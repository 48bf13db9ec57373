import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createModel, type JudgeVerdict, type StandinModel } from './model.ts';

/**
 * A real OpenAI-compatible HTTP server for tests, backed by a small real language model (model.ts):
 * `POST /v1/completions` (echo + logprobs, max_tokens 0: prompt log-probs, as vLLM serves them),
 * `POST /v1/chat/completions` (a deterministic judge), `GET /v1/models`, `GET /stats`.
 */
export interface StandinOptions {
  /** Reuse one trained model across servers; trained on the Alpaca seed tasks when absent. */
  model?: StandinModel;
  modelName?: string;
  /** When set, requests need `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Delay before every answer, in ms. */
  delayMs?: number;
  /** The judge's reply text; default `Score: <rating>\n<explanation>`. */
  judgeReply?: (v: JudgeVerdict) => string;
  /**
   * A chat answer of the test's own (a persona, a paraphraser): asked first for every chat request;
   * undefined falls through to the judge.
   */
  chatReply?: (messages: { role: string; content: string }[]) => string | undefined;
}

/** A scripted misbehaviour for one upcoming request (consumed in order, one per request). */
export interface Failure {
  status?: number;
  retryAfter?: string;
  delayMs?: number;
  body?: string;
}

export interface StandinStats {
  requests: number;
  completions: number;
  chat: number;
  failures: number;
  inFlight: number;
  maxInFlight: number;
  /** Request bodies in arrival order (parsed JSON). */
  bodies: unknown[];
}

export interface Standin {
  /** Base URL with the version prefix: `http://127.0.0.1:<port>/v1`. */
  url: string;
  modelName: string;
  model: StandinModel;
  stats(): StandinStats;
  resetStats(): void;
  inject(...failures: Failure[]): void;
  setDelay(ms: number): void;
  /**
   * Hold each answer until `n` requests are in flight at once (a barrier, no clock), so a test sees
   * the concurrency a client allows whatever the machine's load; null lifts it. A request that finds
   * no company is let go after 2 s, so a barrier never hangs a test.
   */
  holdUntilInFlight(n: number | null): void;
  close(): Promise<void>;
}

const RESPONSE = /### Response:\n([\s\S]*?)(?=\n\n### |$)/g;

export async function startStandin(opts: StandinOptions = {}): Promise<Standin> {
  const model = opts.model ?? createModel();
  const modelName = opts.modelName ?? 'standin-ngram';
  const judgeReply = opts.judgeReply ?? ((v: JudgeVerdict) => `Score: ${v.rating}\n${v.explanation}`);
  let delayMs = opts.delayMs ?? 0;
  const failures: Failure[] = [];
  const fresh = (): StandinStats => ({
    requests: 0,
    completions: 0,
    chat: 0,
    failures: 0,
    inFlight: 0,
    maxInFlight: 0,
    bodies: [],
  });
  let stats = fresh();
  let barrier: number | null = null;
  let held: (() => void)[] = [];
  const releaseIfFull = () => {
    if (barrier !== null && stats.inFlight >= barrier) {
      for (const go of held.splice(0)) go();
    }
  };
  const hold = () =>
    new Promise<void>((go) => {
      held.push(go);
      setTimeout(() => {
        held = held.filter((g) => g !== go);
        go();
      }, 2000).unref();
      releaseIfFull();
    });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, message: string) =>
    send(res, status, { error: { message, type: 'invalid_request_error', code: status } });

  function completions(body: Record<string, unknown>, res: ServerResponse) {
    stats.completions++;
    const { prompt, echo, max_tokens } = body;
    if (typeof prompt !== 'string') return error(res, 400, 'prompt must be a string');
    if (echo !== true || (max_tokens !== undefined && max_tokens !== 0)) {
      return error(res, 400, 'the stand-in only scores prompts: send echo: true and max_tokens: 0');
    }
    const lp = model.promptLogprobs(prompt);
    send(res, 200, {
      id: `cmpl-${stats.requests}`,
      object: 'text_completion',
      model: modelName,
      choices: [
        {
          index: 0,
          text: prompt,
          logprobs: {
            tokens: lp.tokens,
            token_logprobs: lp.logprobs,
            text_offset: lp.offsets,
            top_logprobs: lp.logprobs.map((l, i) => (l === null ? null : { [lp.tokens[i]]: l })),
          },
          finish_reason: 'length',
        },
      ],
      usage: { prompt_tokens: lp.tokens.length, completion_tokens: 0, total_tokens: lp.tokens.length },
    });
  }

  function chat(body: Record<string, unknown>, res: ServerResponse) {
    stats.chat++;
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0)
      return error(res, 400, 'messages must be a non-empty array');
    const texts = messages.map((m) => String((m as { content?: unknown }).content ?? ''));
    const lastUser = [...messages].reverse().find((m) => (m as { role?: unknown }).role === 'user') as
      | { content?: unknown }
      | undefined;
    const ask = String(lastUser?.content ?? '');
    let reply = 'I am a stand-in language model; ask me to rate a response.';
    let verdict: JudgeVerdict | undefined;
    const own = opts.chatReply?.(messages as { role: string; content: string }[]);
    if (own !== undefined) reply = own;
    else if (/\b(rate|rating|score)\b/i.test(ask)) {
      const scale = /scale (?:of|from) (\d+) to (\d+)/i.exec(ask);
      const [lo, hi] = scale ? [Number(scale[1]), Number(scale[2])] : [0, 5];
      const all = texts.join('\n\n');
      const rated = [...all.matchAll(RESPONSE)].at(-1)?.[1] ?? ask;
      verdict = model.judge(rated, lo, hi);
      reply = judgeReply(verdict);
    }
    const top = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
    let logprobs: unknown = null;
    if (body.logprobs === true) {
      const tokens = model.tokenize(reply).tokens;
      const at = verdict ? tokens.indexOf(String(verdict.rating)) : -1;
      logprobs = {
        content: tokens.map((token, i) => {
          if (i === at && verdict) {
            const lp = verdict.digits.find((d) => d.token === token)!.logprob;
            return { token, logprob: lp, bytes: null, top_logprobs: verdict.digits.slice(0, top) };
          }
          return {
            token,
            logprob: -0.01,
            bytes: null,
            top_logprobs: top > 0 ? [{ token, logprob: -0.01 }] : [],
          };
        }),
      };
    }
    send(res, 200, {
      id: `chatcmpl-${stats.requests}`,
      object: 'chat.completion',
      model: modelName,
      choices: [
        { index: 0, message: { role: 'assistant', content: reply }, logprobs, finish_reason: 'stop' },
      ],
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/stats') return send(res, 200, stats);
    if (req.method === 'GET' && path === '/v1/models') {
      return send(res, 200, { object: 'list', data: [{ id: modelName, object: 'model' }] });
    }
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let closed = false;
    res.on('close', () => {
      closed = true;
      stats.inFlight--;
    });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const failure = failures.shift();
    const wait = failure?.delayMs ?? delayMs;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait).unref());
    if (barrier !== null) await hold();
    // The client gave up during the delay (it timed out): nothing more is counted or answered, so a
    // late wake-up cannot touch the stats of a later test.
    if (closed) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return error(res, 400, 'body is not JSON');
    }
    stats.bodies.push(body);
    if (failure?.status) {
      stats.failures++;
      const headers: Record<string, string> = failure.retryAfter ? { 'retry-after': failure.retryAfter } : {};
      return send(
        res,
        failure.status,
        failure.body ?? { error: { message: `injected ${failure.status}` } },
        headers,
      );
    }
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return error(res, 401, 'missing or wrong API key');
    }
    if (body.model !== modelName)
      return error(res, 404, `The model \`${String(body.model)}\` does not exist.`);
    if (req.method === 'POST' && path === '/v1/completions') return completions(body, res);
    if (req.method === 'POST' && path === '/v1/chat/completions') return chat(body, res);
    return error(res, 404, `no route ${req.method} ${path}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error(res, 500, String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    modelName,
    model,
    stats: () => ({ ...stats, bodies: [...stats.bodies] }),
    resetStats() {
      const inFlight = stats.inFlight;
      stats = fresh();
      stats.inFlight = inFlight;
    },
    inject: (...f) => void failures.push(...f),
    setDelay(ms) {
      delayMs = ms;
    },
    holdUntilInFlight(n) {
      barrier = n;
      if (n === null) for (const go of held.splice(0)) go();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
