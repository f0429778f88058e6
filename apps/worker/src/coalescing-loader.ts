import DataLoader from 'dataloader';

/**
 * A DataLoader that keeps at most `maxInFlight` batches running: requests that arrive while that many
 * are in flight wait and then go together. Under load, many trial slots share each statement; when
 * idle, a request goes at once.
 */
export function coalescingLoader<K, V>(run: (keys: readonly K[]) => Promise<V[]>, maxInFlight = 1): DataLoader<K, V> {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    inFlight -= 1;
    waiting.shift()?.();
  };
  return new DataLoader<K, V>(
    (keys) => {
      inFlight += 1;
      const batch = run(keys);
      void batch.then(release, release);
      return batch;
    },
    {
      cache: false,
      maxBatchSize: 500,
      batchScheduleFn: (dispatch) => {
        if (inFlight < maxInFlight) setImmediate(dispatch);
        else waiting.push(() => setImmediate(dispatch));
      },
    },
  );
}
