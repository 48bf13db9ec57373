/** A counting semaphore: at most `limit` holders at once; waiters are served first come, first served. */
export interface Semaphore {
  acquire(): Promise<() => void>;
  readonly active: number;
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  let active = 0;
  const waiters: (() => void)[] = [];
  const release = () => {
    const next = waiters.shift();
    if (next) next();
    else active--;
  };
  return {
    get active() {
      return active;
    },
    acquire() {
      if (active < limit) {
        active++;
        return Promise.resolve(once(release));
      }
      // The slot passes straight from the releaser to the waiter, so `active` stays at the limit.
      return new Promise((resolve) => waiters.push(() => resolve(once(release))));
    },
  };
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}
