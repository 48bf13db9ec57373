/**
 * An interpolated trigram model with a cache component (Kuhn & De Mori 1990):
 *
 *   p(w | h) = (1 - λc)·p3(w | u, v) + λc·pcache(w | h)           (λc = 0 when h is empty)
 *   p3(w | u, v) = λ3·c(u,v,w)/c(u,v,·) + (1 - λ3)·p2(w | v)       (p2 alone when c(u,v,·) = 0)
 *   p2(w | v)    = λ2·c(v,w)/c(v,·)     + (1 - λ2)·p1(w)           (p1 alone when c(v,·) = 0)
 *   p1(w)        = (c(w) + 1) / (N + V + 1)                         (add-one, one slot for unseen words)
 *   pcache(w | h) = ½·n_h(w)/|h| + ½·n_h(v,w)/n_h(v,·)               (unigram alone when n_h(v,·) = 0)
 *
 * where h is the whole preceding text of the prompt, v and u its last two tokens, n_h counts in h, and
 * tokens are compared lowercased. The cache makes a word seen earlier in the prompt likelier again, so
 * a one-shot demonstration that shares words with a task raises the task answer's likelihood.
 */
export interface NgramOptions {
  lambda2?: number;
  lambda3?: number;
  lambdaCache?: number;
}

export interface NgramModel {
  readonly vocab: number;
  readonly tokensSeen: number;
  readonly lambdaCache: number;
  /** ln p(token | history), history being the preceding tokens (any case). */
  tokenLogprob(history: readonly string[], token: string): number;
  /** ln p of each token given all tokens before it; the first is null (nothing to condition on). */
  sequenceLogprobs(tokens: readonly string[]): (number | null)[];
}

const SEP = '\u0001';

export function trainNgram(docs: readonly (readonly string[])[], opts: NgramOptions = {}): NgramModel {
  const { lambda2 = 0.6, lambda3 = 0.5, lambdaCache = 0.2 } = opts;
  const uni = new Map<string, number>();
  const bi = new Map<string, number>();
  const tri = new Map<string, number>();
  const ctx1 = new Map<string, number>();
  const ctx2 = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let total = 0;
  for (const doc of docs) {
    const t = doc.map((x) => x.toLowerCase());
    for (let i = 0; i < t.length; i++) {
      inc(uni, t[i]);
      total++;
      if (i >= 1) {
        inc(bi, t[i - 1] + SEP + t[i]);
        inc(ctx1, t[i - 1]);
      }
      if (i >= 2) {
        inc(tri, t[i - 2] + SEP + t[i - 1] + SEP + t[i]);
        inc(ctx2, t[i - 2] + SEP + t[i - 1]);
      }
    }
  }
  const V = uni.size;

  function pNgram(u: string | undefined, v: string | undefined, w: string): number {
    let p = ((uni.get(w) ?? 0) + 1) / (total + V + 1);
    if (v !== undefined) {
      const c = ctx1.get(v) ?? 0;
      if (c > 0) p = lambda2 * ((bi.get(v + SEP + w) ?? 0) / c) + (1 - lambda2) * p;
    }
    if (u !== undefined && v !== undefined) {
      const c = ctx2.get(u + SEP + v) ?? 0;
      if (c > 0) p = lambda3 * ((tri.get(u + SEP + v + SEP + w) ?? 0) / c) + (1 - lambda3) * p;
    }
    return p;
  }

  /** Counts of the history, kept incrementally while walking a sequence. */
  function cacheState() {
    const hUni = new Map<string, number>();
    const hBi = new Map<string, number>();
    const hCtx = new Map<string, number>();
    const h: string[] = [];
    return {
      p(w: string, pn: number): number {
        const m = h.length;
        if (m === 0) return pn;
        const v = h[m - 1];
        const pu = (hUni.get(w) ?? 0) / m;
        const cv = hCtx.get(v) ?? 0;
        const pc = cv > 0 ? 0.5 * pu + 0.5 * ((hBi.get(v + SEP + w) ?? 0) / cv) : pu;
        return (1 - lambdaCache) * pn + lambdaCache * pc;
      },
      push(w: string) {
        if (h.length > 0) {
          const v = h[h.length - 1];
          inc(hBi, v + SEP + w);
          inc(hCtx, v);
        }
        inc(hUni, w);
        h.push(w);
      },
    };
  }

  return {
    vocab: V,
    tokensSeen: total,
    lambdaCache,
    tokenLogprob(history, token) {
      const s = cacheState();
      const hist = history.map((x) => x.toLowerCase());
      for (const w of hist) s.push(w);
      const n = hist.length;
      const w = token.toLowerCase();
      return Math.log(s.p(w, pNgram(hist[n - 2], hist[n - 1], w)));
    },
    sequenceLogprobs(tokens) {
      const s = cacheState();
      const t = tokens.map((x) => x.toLowerCase());
      const out: (number | null)[] = [];
      for (let i = 0; i < t.length; i++) {
        out.push(i === 0 ? null : Math.log(s.p(t[i], pNgram(t[i - 2], t[i - 1], t[i]))));
        s.push(t[i]);
      }
      return out;
    },
  };
}
