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

/**
 * Tokens are interned: the training vocabulary gets ids 0..V-1 and a sequence's unseen words ids from
 * V on, so every count is looked up by a small integer key instead of a concatenated string (the
 * stand-in answers thousands of prompts per test). The arithmetic is the formula above, term by term.
 */
export function trainNgram(docs: readonly (readonly string[])[], opts: NgramOptions = {}): NgramModel {
  const { lambda2 = 0.6, lambda3 = 0.5, lambdaCache = 0.2 } = opts;
  const vocab = new Map<string, number>();
  const lowered = docs.map((doc) =>
    doc.map((x) => {
      const w = x.toLowerCase();
      let id = vocab.get(w);
      if (id === undefined) vocab.set(w, (id = vocab.size));
      return id;
    }),
  );
  const V = vocab.size;
  const inc = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  const uni = new Float64Array(V);
  const ctx1 = new Float64Array(V);
  const bi = new Map<number, number>(); // v·V + w
  const ctx2Index = new Map<number, number>(); // u·V + v → j
  const ctx2: number[] = [];
  const tri = new Map<number, number>(); // j·V + w
  let total = 0;
  for (const t of lowered) {
    for (let i = 0; i < t.length; i++) {
      uni[t[i]]++;
      total++;
      if (i >= 1) {
        inc(bi, t[i - 1] * V + t[i]);
        ctx1[t[i - 1]]++;
      }
      if (i >= 2) {
        const uv = t[i - 2] * V + t[i - 1];
        let j = ctx2Index.get(uv);
        if (j === undefined) {
          ctx2Index.set(uv, (j = ctx2.length));
          ctx2.push(0);
        }
        ctx2[j]++;
        inc(tri, j * V + t[i]);
      }
    }
  }

  /** u and v are -1 when absent; ids ≥ V (unseen words) have no counts. */
  function pNgram(u: number, v: number, w: number): number {
    const seen = w < V;
    let p = ((seen ? uni[w] : 0) + 1) / (total + V + 1);
    if (v >= 0) {
      const c = v < V ? ctx1[v] : 0;
      if (c > 0) p = lambda2 * ((seen ? (bi.get(v * V + w) ?? 0) : 0) / c) + (1 - lambda2) * p;
    }
    if (u >= 0 && v >= 0) {
      const j = u < V && v < V ? ctx2Index.get(u * V + v) : undefined;
      const c = j === undefined ? 0 : ctx2[j];
      if (c > 0) p = lambda3 * ((seen ? (tri.get(j! * V + w) ?? 0) : 0) / c) + (1 - lambda3) * p;
    }
    return p;
  }

  /** Ids for a sequence: the vocabulary's, then fresh ones for its unseen words (equal words, equal ids). */
  function ids(tokens: readonly string[]): number[] {
    const unseen = new Map<string, number>();
    return tokens.map((x) => {
      const w = x.toLowerCase();
      const id = vocab.get(w) ?? unseen.get(w);
      if (id !== undefined) return id;
      const fresh = V + unseen.size;
      unseen.set(w, fresh);
      return fresh;
    });
  }

  /** Counts of the history, kept incrementally while walking a sequence of at most `ids` distinct ids. */
  function cacheState(idSpace: number) {
    const hUni = new Map<number, number>();
    const hBi = new Map<number, number>(); // v·idSpace + w
    const hCtx = new Map<number, number>();
    const h: number[] = [];
    return {
      p(w: number, pn: number): number {
        const m = h.length;
        if (m === 0) return pn;
        const v = h[m - 1];
        const pu = (hUni.get(w) ?? 0) / m;
        const cv = hCtx.get(v) ?? 0;
        const pc = cv > 0 ? 0.5 * pu + 0.5 * ((hBi.get(v * idSpace + w) ?? 0) / cv) : pu;
        return (1 - lambdaCache) * pn + lambdaCache * pc;
      },
      push(w: number) {
        if (h.length > 0) {
          const v = h[h.length - 1];
          inc(hBi, v * idSpace + w);
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
      const t = ids([...history, token]);
      const n = history.length;
      const s = cacheState(V + t.length);
      for (let i = 0; i < n; i++) s.push(t[i]);
      const w = t[n];
      return Math.log(s.p(w, pNgram(n >= 2 ? t[n - 2] : -1, n >= 1 ? t[n - 1] : -1, w)));
    },
    sequenceLogprobs(tokens) {
      const t = ids(tokens);
      const s = cacheState(V + t.length);
      const out: (number | null)[] = [];
      for (let i = 0; i < t.length; i++) {
        out.push(i === 0 ? null : Math.log(s.p(t[i], pNgram(i >= 2 ? t[i - 2] : -1, t[i - 1], t[i]))));
        s.push(t[i]);
      }
      return out;
    },
  };
}
