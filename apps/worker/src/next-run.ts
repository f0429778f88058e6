/**
 * Runs `task` once the run in flight (if any) has settled, whether it worked or not; callers that arrive
 * before that next run starts share it, so a burst of callers costs the run in flight and one more.
 */
export function nextRun<T>(task: () => Promise<T>): () => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  let next: Promise<T> | undefined;
  return () => {
    next ??= last
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return task();
      });
    last = next;
    return next;
  };
}
