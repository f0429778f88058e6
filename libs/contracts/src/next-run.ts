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

/**
 * `nextRun` per key: each key's runs coalesce on their own (a sweep's top-ups, say), and a key whose callers
 * have all been answered is forgotten, so the keys seen over a process's life are not kept.
 */
export function keyedNextRun<K, T>(task: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const runs = new Map<K, { run: () => Promise<T>; waiting: number }>();
  return (key) => {
    const current = runs.get(key) ?? { run: nextRun(() => task(key)), waiting: 0 };
    runs.set(key, current);
    current.waiting += 1;
    const answer = current.run();
    const settled = () => {
      current.waiting -= 1;
      if (current.waiting === 0 && runs.get(key) === current) runs.delete(key);
    };
    answer.then(settled, settled);
    return answer;
  };
}
