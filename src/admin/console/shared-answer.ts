/**
 * Wraps a read so that callers within `ms` of each other share one answer: several browsers polling the console
 * cost the journal one read a second, not one each. A failed read is not kept.
 */
export function sharedFor<T>(ms: number, read: () => Promise<T>, clock: () => number = Date.now): () => Promise<T> {
  let answer: Promise<T> | undefined;
  let at = 0;
  return () => {
    const now = clock();
    if (!answer || now - at >= ms) {
      at = now;
      const current = read();
      answer = current;
      current.catch(() => { if (answer === current) answer = undefined; });
    }
    return answer;
  };
}
