/** A task run one at a time (call it to ask for a run), and a way to wait until no run is going. */
export type Serialised<T> = ((input: T) => Promise<void>) & { idle(): Promise<void> };

/**
 * Runs `task` one at a time. A request made while a run is going waits for it; all the requests made meanwhile
 * coalesce into one more run, with the newest input, whose outcome each of them gets. (Reloads read the
 * configuration afresh, so the newest request is the one that matters; two at once would each build a shipper.)
 */
export function serialise<T>(task: (input: T) => Promise<void>): Serialised<T> {
  let current: Promise<void> | undefined;
  let queued: { input: T; done: Promise<void>; settle(run: Promise<void>): void } | undefined;
  const start = (input: T): Promise<void> => {
    current = task(input).finally(() => {
      current = undefined;
      const q = queued;
      queued = undefined;
      if (q) q.settle(start(q.input));
    });
    return current;
  };
  const run = (input: T): Promise<void> => {
    if (!current) return start(input);
    if (!queued) {
      let settle!: (run: Promise<void>) => void;
      // Resolved with the queued run's promise, `done` settles as that run does.
      const done = new Promise<void>((resolve) => { settle = resolve; });
      queued = { input, done, settle };
    }
    queued.input = input;
    return queued.done;
  };
  return Object.assign(run, {
    async idle() {
      while (current) await current.catch(() => {});
    },
  });
}
