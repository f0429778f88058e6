import DataLoader from 'dataloader';

/**
 * A DataLoader that sends one batch at a time: requests arriving while a batch is in flight wait
 * for it and then go together. Under load, many trial slots share each statement; when idle, a
 * request goes at once.
 */
export function coalescingLoader<K, V>(run: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
  let inFlight: Promise<unknown> = Promise.resolve();
  return new DataLoader<K, V>(
    (keys) => {
      const batch = run(keys);
      inFlight = batch.catch(() => undefined);
      return batch;
    },
    { cache: false, maxBatchSize: 500, batchScheduleFn: (dispatch) => void inFlight.then(() => setImmediate(dispatch)) },
  );
}
